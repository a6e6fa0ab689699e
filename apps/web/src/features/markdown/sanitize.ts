/**
 * A pure allowlist sanitiser for the HTML our Markdown renderer produces (defence in depth; DOMPurify runs over
 * it again in the browser). Every tag not on the list, and every attribute not allowed on its tag, is dropped;
 * anything that looks like a tag but does not parse cleanly is escaped so it shows as text.
 */

/** Link schemes that may be clickable. Everything else (javascript:, data:, vbscript:, file:, relative) is not. */
const SAFE_URL_RE = /^(?:https?:\/\/|mailto:)/i;

export function isSafeUrl(url: string): boolean {
  // Browsers ignore leading spaces and control characters and tabs/newlines inside a scheme: so do we, then
  // demand a known scheme at the very start.
  // eslint-disable-next-line no-control-regex -- the control characters are what this pattern removes
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return SAFE_URL_RE.test(cleaned) && cleaned === url.trim();
}

export const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 's', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote', 'span'] as const;

const ALLOWED_ATTRS: Record<string, readonly string[]> = {
  a: ['href', 'target', 'rel'],
  ol: ['start'],
  code: ['class'],
  span: ['class', 'data-user-id'],
};
export const ALLOWED_ATTR_NAMES = ['href', 'target', 'rel', 'start', 'class', 'data-user-id'] as const;

const VALUE_CHECKS: Record<string, (value: string) => boolean> = {
  href: (v) => isSafeUrl(decodeEntities(v)),
  target: (v) => v === '_blank',
  rel: (v) => v === 'noopener noreferrer',
  start: (v) => /^\d{1,9}$/.test(v),
  class: (v) => /^(?:mention|mention mention-me|language-[A-Za-z0-9_+-]{1,40})$/.test(v),
  'data-user-id': (v) => /^[0-9a-f-]{1,64}$/i.test(v),
};

const TAG_RE = /<[^<>]*>?/g;
const PARSE_TAG_RE = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*="[^"<>]*")*)\s*(\/?)>$/i;
const ATTR_RE = /\s+([a-z][a-z0-9-]*)="([^"<>]*)"/gi;

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function cleanTag(tag: string): string {
  const m = PARSE_TAG_RE.exec(tag);
  if (!m) return escapeText(tag);
  const [, slash, rawName, attrs] = m;
  const name = rawName!.toLowerCase();
  if (!(ALLOWED_TAGS as readonly string[]).includes(name)) return '';
  if (slash) return `</${name}>`;
  const allowed = ALLOWED_ATTRS[name] ?? [];
  const kept: string[] = [];
  for (const a of attrs!.matchAll(ATTR_RE)) {
    const attr = a[1]!.toLowerCase();
    const value = a[2]!;
    if (allowed.includes(attr) && VALUE_CHECKS[attr]!(value)) kept.push(` ${attr}="${value}"`);
  }
  if (name === 'a') {
    // A link without a safe href is not a link: drop the attributes that only make sense on one.
    if (!kept.some((k) => k.startsWith(' href='))) return '<a>';
  }
  return `<${name}${kept.join('')}>`;
}

/** Keeps only allowed tags and attributes of `html`; escapes anything else that looks like markup. */
export function sanitizeHtml(html: string): string {
  return html.replace(TAG_RE, cleanTag);
}
