import type { Content } from '@hearth/protocol';

const MAX_URL = 2048;
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;

/**
 * The first http(s) link of a message, as a link preview reads it: in a text message or a media caption, outside
 * code (fenced blocks and inline code spans, which show links as code, not as links), without the punctuation that
 * usually ends a sentence or closes a bracket around it. Undefined for any other content (system lines, and the
 * end-to-end encrypted content of a later version, which the server cannot read).
 * @example firstLink({ type: 'text', text: 'see (https://example.org/a).', entities: [] }) // 'https://example.org/a'
 */
export function firstLink(content: Content | null): string | undefined {
  if (content?.type !== 'text' && content?.type !== 'media') return undefined;
  // Code spans and fenced blocks (`x`, ``x``, ```…```; an unclosed ~~~ fence runs to the end, as in Markdown).
  const prose = content.text.replace(/~~~[\s\S]*?(?:~~~|$)/g, ' ').replace(/(`+)[\s\S]*?\1/g, ' ');
  for (const match of prose.matchAll(CANDIDATE)) {
    const url = trimEnd(match[0]);
    if (url.length > MAX_URL) continue;
    try {
      const parsed = new URL(url);
      if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '') return url;
    } catch {
      // not an address after all: look further
    }
  }
  return undefined;
}

/** Drops sentence punctuation and closing brackets that have no opening one inside the link. */
function trimEnd(candidate: string): string {
  let url = candidate;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']] as const) {
      if (url.endsWith(close) && url.split(close).length > url.split(open).length) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}
