/*
 * Just enough Markdown for reading docs/PROTOCOL.md as data: headings (## to ####) as nested sections, pipe tables
 * with the paragraph line that introduces each, and the code spans of a piece of text. Fenced code blocks are
 * skipped, so the JSON examples are never mistaken for tables or headings.
 */

export interface Table {
  header: string[];
  rows: string[][];
  /** 1-based line of the header row. */
  line: number;
  /** The last non-blank line before the table, when it is prose (not a heading, not another table). */
  intro: string;
}

export interface Section {
  level: number;
  /** The heading without its `#`s and without a leading number such as `4.3`. */
  title: string;
  /** The heading as written, for messages. */
  heading: string;
  line: number;
  /** Prose lines of this section itself (not of its subsections), outside code blocks and tables. */
  prose: string[];
  tables: Table[];
  children: Section[];
}

/** Splits a table row into trimmed cells; `\|` is a pipe inside a cell. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Parses a Markdown document into its top-level section (level 1, the whole document). */
export function parseMarkdown(text: string): Section {
  const root: Section = { level: 1, title: '', heading: '', line: 1, prose: [], tables: [], children: [] };
  const stack: Section[] = [root];
  const lines = text.split('\n');
  let inFence = false;
  let lastProse = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      lastProse = '';
      continue;
    }
    if (inFence) continue;
    const heading = /^(#{2,4}) (.*)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const written = heading[2]!.trim();
      const section: Section = {
        level,
        title: written.replace(/^\d+(\.\d+)*\.?\s+/, ''),
        heading: `${heading[1]} ${written}`,
        line: i + 1,
        prose: [],
        tables: [],
        children: [],
      };
      while (stack.at(-1)!.level >= level) stack.pop();
      stack.at(-1)!.children.push(section);
      stack.push(section);
      lastProse = '';
      continue;
    }
    const current = stack.at(-1)!;
    if (line.trim().startsWith('|') && lines[i + 1]?.trim().startsWith('|') && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]!)) {
      const table: Table = { header: cells(line), rows: [], line: i + 1, intro: lastProse };
      i += 2;
      while (i < lines.length && lines[i]!.trim().startsWith('|')) table.rows.push(cells(lines[i++]!));
      i--;
      current.tables.push(table);
      lastProse = '';
      continue;
    }
    if (line.trim() !== '') {
      current.prose.push(line);
      lastProse = line.trim();
    }
  }
  return root;
}

/** Every section below `section`, depth first, in document order. */
export function allSections(section: Section): Section[] {
  return section.children.flatMap((c) => [c, ...allSections(c)]);
}

/** The contents of the `code spans` in a piece of text, in order. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
}

/** Code spans that are plain identifiers: field names, as a table's first column writes them. */
export function identifiers(text: string): string[] {
  return codeSpans(text).filter((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s));
}

/** The keys of the `{ "key": … }` objects written in a piece of text. */
export function braceKeys(text: string): string[] {
  return [...text.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)].map((m) => m[1]!);
}

/** Where a section is, for messages: `docs/PROTOCOL.md › 4.5 Events › #### \`typing\` (line 1729)`. */
export function place(section: Section, parent?: Section): string {
  const trail = parent && parent !== section ? `${parent.heading.replace(/^#+ /, '')} › ` : '';
  return `docs/PROTOCOL.md › ${trail}"${section.heading}" (line ${section.line})`;
}
