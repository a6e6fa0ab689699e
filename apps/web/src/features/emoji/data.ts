/**
 * Emoji data from emojibase-data, loaded on demand with dynamic import() so it is never part of the initial
 * bundle: the picker, the `:shortcode:` autocomplete and reaction search all share one load.
 */

/** Picker categories in emojibase's group order (group 2, "component", holds bare skin tones and is skipped). */
export const CATEGORIES = [
  { group: 0, key: 'smileys', icon: '😀' },
  { group: 1, key: 'people', icon: '👋' },
  { group: 3, key: 'nature', icon: '🐻' },
  { group: 4, key: 'food', icon: '🍔' },
  { group: 5, key: 'travel', icon: '✈️' },
  { group: 6, key: 'activities', icon: '⚽' },
  { group: 7, key: 'objects', icon: '💡' },
  { group: 8, key: 'symbols', icon: '❤️' },
  { group: 9, key: 'flags', icon: '🏳️' },
] as const;

export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5;
const TONE_HEX = ['', '1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'];

export interface EmojiEntry {
  emoji: string;
  label: string;
  group: number;
  order: number;
  tags: string[];
  shortcodes: string[];
  /** The emoji in skin tones 1 to 5 (index 0 is tone 1), when it has them. */
  skins?: string[];
}

export interface EmojiData {
  /** Every emoji that has a category, in the standard order. */
  list: EmojiEntry[];
  /** Shortcode (without colons) → emoji. */
  byShortcode: Map<string, EmojiEntry>;
  /** Emoji (any tone) → entry. */
  byEmoji: Map<string, EmojiEntry>;
}

interface RawEmoji {
  hexcode: string;
  label: string;
  unicode: string;
  group?: number;
  order?: number;
  tags?: string[];
  skins?: RawEmoji[];
}

let loading: Promise<EmojiData> | undefined;
let loaded: EmojiData | undefined;

/** The data if it has finished loading, else undefined (call loadEmojiData to start). */
export function emojiDataIfLoaded(): EmojiData | undefined {
  return loaded;
}

export function loadEmojiData(): Promise<EmojiData> {
  loading ??= Promise.all([import('emojibase-data/en/compact.json'), import('emojibase-data/en/shortcodes/github.json')])
    .then(([compact, github]) => {
      loaded = build(compact.default, github.default);
      return loaded;
    })
    .catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  return loading;
}

function skinsOf(raw: RawEmoji): string[] | undefined {
  if (!raw.skins?.length) return undefined;
  const out: string[] = [];
  for (let tone = 1; tone <= 5; tone++) {
    // Multi-person emoji list every combination; take the one with the same tone throughout.
    const match = raw.skins.find((s) => {
      const tones = s.hexcode.split('-').filter((h) => TONE_HEX.includes(h));
      return tones.length > 0 && tones.every((h) => h === TONE_HEX[tone]);
    });
    if (!match) return undefined;
    out.push(match.unicode);
  }
  return out;
}

function build(compact: RawEmoji[], shortcodes: Record<string, string | string[]>): EmojiData {
  const list: EmojiEntry[] = [];
  const byShortcode = new Map<string, EmojiEntry>();
  const byEmoji = new Map<string, EmojiEntry>();
  for (const raw of compact) {
    if (raw.group === undefined || raw.group === 2) continue;
    const codes = shortcodes[raw.hexcode];
    const skins = skinsOf(raw);
    const entry: EmojiEntry = {
      emoji: raw.unicode,
      label: raw.label,
      group: raw.group,
      order: raw.order ?? 0,
      tags: raw.tags ?? [],
      shortcodes: codes === undefined ? [] : Array.isArray(codes) ? codes : [codes],
      ...(skins ? { skins } : {}),
    };
    list.push(entry);
    byEmoji.set(entry.emoji, entry);
    for (const s of skins ?? []) byEmoji.set(s, entry);
    for (const code of entry.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, entry);
  }
  list.sort((a, b) => a.order - b.order);
  return { list, byShortcode, byEmoji };
}

/** The emoji in the chosen skin tone, when it has tones. */
export function withTone(entry: EmojiEntry, tone: SkinTone): string {
  return tone > 0 && entry.skins ? (entry.skins[tone - 1] ?? entry.emoji) : entry.emoji;
}

/** Emoji matching a search: shortcode prefix first, then label words, then tags. */
export function searchEmoji(data: EmojiData, query: string, limit = 200): EmojiEntry[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (!q) return [];
  const scored: Array<[number, EmojiEntry]> = [];
  for (const e of data.list) {
    let score = 0;
    if (e.shortcodes.some((s) => s === q)) score = 5;
    else if (e.shortcodes.some((s) => s.startsWith(q))) score = 4;
    else if (e.label.toLowerCase().split(/[\s:,]+/).some((w) => w.startsWith(q))) score = 3;
    else if (e.tags.some((t) => t.startsWith(q))) score = 2;
    else if (e.label.toLowerCase().includes(q) || e.shortcodes.some((s) => s.includes(q))) score = 1;
    if (score > 0) scored.push([score, e]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1].order - b[1].order);
  return scored.slice(0, limit).map(([, e]) => e);
}

/** Shortcode suggestions for the composer's `:xy` autocomplete: [shortcode, entry] pairs. */
export function shortcodeSuggestions(data: EmojiData, query: string, limit = 8): Array<[string, EmojiEntry]> {
  const q = query.toLowerCase();
  const prefix: Array<[string, EmojiEntry]> = [];
  const inner: Array<[string, EmojiEntry]> = [];
  for (const [code, entry] of data.byShortcode) {
    if (code.startsWith(q)) prefix.push([code, entry]);
    else if (code.includes(q)) inner.push([code, entry]);
  }
  prefix.sort((a, b) => a[0].length - b[0].length || a[1].order - b[1].order);
  inner.sort((a, b) => a[1].order - b[1].order);
  return [...prefix, ...inner].slice(0, limit);
}
