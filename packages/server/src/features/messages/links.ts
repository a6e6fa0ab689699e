import type { Content } from '@hearth/protocol';

const MAX_URL = 2048;
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_', '~']);
const BRACKETS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * The first http(s) link of a message, as a link preview reads it: in a text message or a media caption, outside
 * code (code spans and fenced blocks, which show links as code, not as links), without the punctuation that usually
 * ends a sentence or closes a bracket around it. Undefined for any other content (system lines, and the end-to-end
 * encrypted content of a later version, which the server cannot read). Linear in the text's length: it runs for
 * every message stored.
 * @example firstLink({ type: 'text', text: 'see (https://example.org/a).', entities: [] }) // 'https://example.org/a'
 */
export function firstLink(content: Content | null): string | undefined {
  if (content?.type !== 'text' && content?.type !== 'media') return undefined;
  for (const match of withoutCode(content.text).matchAll(CANDIDATE)) {
    if (match[0].length > MAX_URL * 2) continue;
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

/**
 * The text with its code blanked out: `~~~` fences (an unclosed one runs to the end, as in Markdown), and code
 * spans and fences of backticks, each closed by the next run of as many backticks (an unclosed run is literal).
 */
function withoutCode(text: string): string {
  const prose = text.replace(/~~~[\s\S]*?(?:~~~|$)/g, ' ');
  const runs = [...prose.matchAll(/`+/g)].map((m) => ({ start: m.index, length: m[0].length }));
  // For each length, the runs of that length in order, and how far the search for a closer has gone.
  const byLength = new Map<number, number[]>();
  runs.forEach((run, i) => {
    const same = byLength.get(run.length);
    if (same) same.push(i);
    else byLength.set(run.length, [i]);
  });
  const searched = new Map<number, number>();
  const parts: string[] = [];
  let position = 0;
  for (const [i, run] of runs.entries()) {
    if (run.start < position) continue;
    const same = byLength.get(run.length)!;
    let k = searched.get(run.length) ?? 0;
    while (k < same.length && same[k]! <= i) k++;
    searched.set(run.length, k);
    if (k === same.length) continue;
    parts.push(prose.slice(position, run.start), ' ');
    position = runs[same[k]!]!.start + run.length;
  }
  parts.push(prose.slice(position));
  return parts.join('');
}

/** Drops sentence punctuation, and closing brackets that have no opening one inside the link, from its end. */
function trimEnd(candidate: string): string {
  const count = (c: string) => candidate.split(c).length - 1;
  const unmatched: Record<string, number> = Object.fromEntries(Object.entries(BRACKETS).map(([close, open]) => [close, count(close) - count(open)]));
  let end = candidate.length;
  while (end > 0) {
    const last = candidate[end - 1]!;
    if (TRAILING.has(last)) end--;
    else if ((unmatched[last] ?? 0) > 0) {
      unmatched[last]!--;
      end--;
    } else break;
  }
  return candidate.slice(0, end);
}
