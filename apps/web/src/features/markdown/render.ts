import type { Entity } from '@hearth/client';
import MarkdownIt, { type Token } from 'markdown-it';

/**
 * Message text → HTML. A deliberately small Markdown subset for chat: **bold**, *italic*, ~~strike~~, `code`,
 * fenced and indented code blocks, [links](https://…), bare links (linkify), lists and > quotes. No raw HTML (it
 * shows as text), no images, headings, tables or rules. Only http(s) and mailto links are clickable; any other
 * link stays visible as its source text.
 *
 * Mentions are structured entities (offsets into the plain text), so they are swapped for placeholders before
 * parsing and for chips after rendering: Markdown cannot break them, and a user cannot forge one by typing.
 *
 * The HTML is sanitised by DOMPurify (`sanitize.ts`): `renderMessage` is the whole pipeline.
 */

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image', 'table', 'hr', 'heading', 'lheading', 'reference', 'html_block', 'html_inline']);
md.validateLink = isAllowedLink;
// Emails and www. links are found without a scheme; nothing else fuzzy (no "file.txt" turning into a link).
md.linkify.set({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false });

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Link schemes that may be clickable. Everything else (javascript:, data:, vbscript:, file:, relative) is not. */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * An absolute http(s) or mailto URL, as the browser's own URL parser reads it (so `java\tscript:` is seen for what
 * it is, as a browser would, and relative URLs are not links).
 */
export function isAllowedLink(url: string): boolean {
  try {
    return LINK_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Private-use characters delimit mention placeholders; any the user typed are removed first. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER_RE = /\uE000(\d+)\uE001/g;
const PRIVATE_MARKERS_RE = /[\uE000\uE001]/g;

export interface MentionInfo {
  /** The user mentioned, or null for @all. */
  userId: string | null;
  /** What to show after the @ sign. */
  label: string;
}

export interface RenderOptions {
  /** Current display names of mentioned users, by id (the text of the entity is used for those missing). */
  names?: Readonly<Record<string, string>>;
  /** The viewer: mentions of them (and @all) get the `mention-me` class. */
  meId?: string | undefined;
}

/** Turns HTML into HTML that is safe to insert into the page. */
export type Sanitizer = (html: string) => string;

/** Valid, non-overlapping entities in text order. */
export function orderedEntities(text: string, entities: readonly Entity[]): Entity[] {
  const sorted = [...entities].filter((e) => e.offset >= 0 && e.length > 0 && e.offset + e.length <= text.length).sort((a, b) => a.offset - b.offset);
  const out: Entity[] = [];
  let end = 0;
  for (const e of sorted) {
    if (e.offset < end) continue;
    out.push(e);
    end = e.offset + e.length;
  }
  return out;
}

/** Replaces every entity's span by a placeholder; returns the new text and what each placeholder stands for. */
export function withPlaceholders(text: string, entities: readonly Entity[], options: RenderOptions = {}): { text: string; mentions: MentionInfo[] } {
  const mentions: MentionInfo[] = [];
  let out = '';
  let at = 0;
  for (const e of orderedEntities(text, entities)) {
    out += text.slice(at, e.offset).replace(PRIVATE_MARKERS_RE, '');
    const raw = text.slice(e.offset, e.offset + e.length).replace(/^@/, '');
    if (e.type === 'mention') mentions.push({ userId: e.userId, label: options.names?.[e.userId] ?? raw });
    else mentions.push({ userId: null, label: raw || 'all' });
    out += `${OPEN}${mentions.length - 1}${CLOSE}`;
    at = e.offset + e.length;
  }
  out += text.slice(at).replace(PRIVATE_MARKERS_RE, '');
  return { text: out, mentions };
}

function chip(m: MentionInfo, meId: string | undefined): string {
  const mine = m.userId === null || (meId !== undefined && m.userId === meId);
  const data = m.userId ? ` data-user-id="${md.utils.escapeHtml(m.userId)}"` : '';
  return `<span class="${mine ? 'mention mention-me' : 'mention'}"${data}>@${md.utils.escapeHtml(m.label)}</span>`;
}

/** The Markdown HTML of a message, mentions as chips; not sanitised (see `renderMessage`). */
export function renderMessageHtml(text: string, entities: readonly Entity[] = [], options: RenderOptions = {}): string {
  const prepared = withPlaceholders(text, entities, options);
  return md.render(prepared.text).trim().replace(PLACEHOLDER_RE, (_, i: string) => {
    const m = prepared.mentions[Number(i)];
    return m ? chip(m, options.meId) : '';
  });
}

/** A message's text as HTML to insert into the page: rendered, then sanitised. */
export function renderMessage(sanitize: Sanitizer, text: string, entities: readonly Entity[] = [], options: RenderOptions = {}): string {
  return sanitize(renderMessageHtml(text, entities, options));
}

/** The text of Markdown tokens: inline text and code as they read, every block and line break a space. */
function tokenText(tokens: readonly Token[], out: string[]): string[] {
  for (const token of tokens) {
    if (token.children) tokenText(token.children, out);
    else if (token.type === 'text' || token.type === 'code_inline') out.push(token.content);
    else if (token.type === 'fence' || token.type === 'code_block') out.push(` ${token.content} `);
    else if (token.block || token.type === 'softbreak' || token.type === 'hardbreak') out.push(' ');
  }
  return out;
}

/** Plain text for previews, excerpts and screen-reader announcements: what the message shows, without its markup. */
export function plainText(text: string): string {
  return tokenText(md.parse(text, {}), []).join('').replace(/\s+/g, ' ').trim();
}

// Built with the constructor: the `v` flag postdates the ES2022 target.
const EMOJI_ONLY_RE = new RegExp('^(?:\\p{RGI_Emoji}|\\s)+$', 'v');
const ONE_EMOJI_RE = new RegExp('\\p{RGI_Emoji}', 'gv');

/** True for a short message of only emoji (1 to 6), shown large as WhatsApp and Slack do. */
export function isEmojiOnly(text: string): boolean {
  if (!EMOJI_ONLY_RE.test(text.trim())) return false;
  const count = text.match(ONE_EMOJI_RE)?.length ?? 0;
  return count >= 1 && count <= 6;
}
