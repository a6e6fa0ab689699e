import { api, ClientFrame, CloseCode, ConversationEvent, ERROR_CODES, ServerEvent, ServerFrame } from '../../src/index.js';
import { allSections, braceKeys, codeSpans, identifiers, parseMarkdown, place, type Section, type Table } from './markdown.js';
import {
  carried,
  defOf,
  describe,
  discriminatorOf,
  discriminatorValue,
  fieldSchema,
  fieldsOf,
  literalValues,
  nameOf,
  optionsOf,
  schemaNamed,
  type Schema,
  unwrap,
} from './schemas.js';

/*
 * Compares docs/PROTOCOL.md with the protocol's schemas and lists every difference as a sentence that says what to
 * add or remove where. Each method checks one part of the protocol and returns its problems ([] when the two agree):
 *
 * - clientFrames: every ClientFrame type has a row in the 4.3 table and a section whose field table matches it;
 * - serverFrames: every ServerFrame type (ready, result, error and every ServerEvent) has a section in 4.4/4.5 whose
 *   fields match; every event is in the 4.5 "Sent to" table, and exactly the ConversationEvents are marked as in the
 *   pts stream there and listed as persisted in 1.3;
 * - endpoints: every entry of the api table is in the 3.3 summary with its method, path, auth, rate-limit class and
 *   response, and has a section whose body and query tables match its schemas;
 * - dataTypes: every "#### Name" of 1.4 is an exported schema with the same fields;
 * - errorCodes and closeCodes: 6.2 lists exactly ERROR_CODES, 6.3 exactly CloseCode with the same numbers.
 *
 * Objects nested in what these check (a Message in an event, the `from` of a forward) are followed too: one with a
 * definition of its own (a data type, or a table introduced by "`Name`:") is checked against it; any other must
 * have each of its fields named in the row of the field that carries it.
 */

/** What the document says about one object: its fields, each with the text of its row. */
interface DocShape {
  where: string;
  fields: Map<string, string>;
  /** False when the section has no field table yet: the message then asks for the table. */
  hasTable: boolean;
  /** A discriminated union documented variant by variant: `Variant | Fields`, or `` `kind` | Other fields ``. */
  variants?: Table;
}

/** Headers of the first column of a table that lists fields, one or more per row. */
const FIELD_HEADERS = new Set(['Field', 'Body field', 'Query']);
/** Fields every client frame may carry, explained once in 4.2 (`rid`) and by the frame's heading (`type`). */
const FRAME_COMMON: ReadonlySet<string> = new Set(['type', 'rid']);
const NOTHING: ReadonlySet<string> = new Set();

const FILE_API = 'packages/protocol/src/api.ts';
const FILE_ERRORS = 'packages/protocol/src/errors.ts';
const FILE_EVENTS = 'packages/protocol/src/events.ts';

function flatten(schema: Schema): Schema[] {
  return defOf(schema).type === 'union' ? optionsOf(schema).flatMap(flatten) : [schema];
}

const typeOf = (frame: Schema) => discriminatorValue(frame, 'type');
const list = (names: readonly string[]) => (names.length === 0 ? 'no fields besides type and rid' : names.map((n) => `\`${n}\``).join(', '));
const normalise = (cell: string) => cell.replace(/`/g, '').replace(/\s+/g, ' ').trim();

export class ProtocolDoc {
  private readonly root: Section;
  private readonly sections: Section[];
  private problems: string[] = [];
  private checked = new Set<string>();
  /** Objects documented by sections of their own (frames and events): where they are carried, nothing more is asked. */
  private readonly roots = new Set<Schema>([...ClientFrame.options, ...flatten(ServerFrame)]);

  constructor(markdown: string) {
    this.root = parseMarkdown(markdown);
    this.sections = allSections(this.root);
  }

  clientFrames(): string[] {
    return this.collect(() => {
      const top = this.section('Client frames');
      const summary = top.tables.find((t) => t.header[0] === 'Type');
      const types = ClientFrame.options.map(typeOf);
      for (const frame of ClientFrame.options) {
        const type = typeOf(frame);
        if (summary && !summary.rows.some((r) => codeSpans(r[0]!).includes(type))) {
          this.report(`${place(top)}: add a row | \`${type}\` | <purpose> | <result data> | <rate class> | to the table at line ${summary.line} (${describe(frame)} is a ClientFrame)`);
        }
        this.frameSection(top, frame, FRAME_COMMON);
      }
      for (const row of summary?.rows ?? []) {
        const type = codeSpans(row[0]!)[0];
        if (type && !types.includes(type)) this.report(`${place(top)}: the table at line ${summary!.line} lists \`${type}\`, which is not a ClientFrame type; remove the row, or add the frame to ClientFrame (packages/protocol/src/frames.ts)`);
      }
      for (const child of top.children) {
        for (const type of codeSpans(child.title)) {
          if (!types.includes(type)) this.report(`${place(child, top)} documents \`${type}\`, which is not a ClientFrame type; remove the section, or add the frame to ClientFrame (packages/protocol/src/frames.ts)`);
        }
      }
    });
  }

  serverFrames(): string[] {
    return this.collect(() => {
      const answers = this.section('Server frames');
      const eventsTop = this.section('Events');
      const eventTypes = flatten(ServerEvent).map(typeOf);
      const streamTypes = ConversationEvent.options.map(typeOf);
      for (const frame of flatten(ServerFrame)) {
        const isEvent = eventTypes.includes(typeOf(frame));
        this.frameSection(isEvent ? eventsTop : answers, frame, FRAME_COMMON);
      }
      const allTypes = flatten(ServerFrame).map(typeOf);
      for (const [top, kind] of [
        [answers, 'ServerFrame'],
        [eventsTop, 'ServerEvent'],
      ] as const) {
        for (const child of top.children) {
          for (const type of codeSpans(child.title)) {
            if (!allTypes.includes(type)) this.report(`${place(child, top)} documents \`${type}\`, which is not a ${kind} type; remove the section, or add the schema to ${kind} (${FILE_EVENTS})`);
          }
        }
      }

      // Who gets each event, and whether it takes a position.
      const recipients = eventsTop.tables.find((t) => t.header[0] === 'Event');
      if (!recipients) return this.report(`${place(eventsTop)}: the | Event | Sent to | In the \`pts\` stream? | table is missing`);
      const rowOf = (type: string) => recipients.rows.find((r) => codeSpans(r[0]!).includes(type));
      for (const type of eventTypes) {
        const row = rowOf(type);
        const inStream = streamTypes.includes(type);
        if (!row) {
          this.report(`${place(eventsTop)}: add \`${type}\` to the "Sent to" table at line ${recipients.line}, in a row that says who receives it and "${inStream ? 'yes' : 'no'}" for the pts stream`);
        } else if ((row[2]?.trim() === 'yes') !== inStream) {
          this.report(`${place(eventsTop)}: in the "Sent to" table at line ${recipients.line}, \`${type}\` must be in a row that says "${inStream ? 'yes' : 'no'}" for the pts stream (${inStream ? 'it is' : 'it is not'} a ConversationEvent, ${FILE_EVENTS})`);
        }
      }
      for (const row of recipients.rows) {
        for (const type of codeSpans(row[0]!)) {
          if (!eventTypes.includes(type)) this.report(`${place(eventsTop)}: the "Sent to" table at line ${recipients.line} lists \`${type}\`, which is not a ServerEvent type; remove it, or add the event to ServerEvent (${FILE_EVENTS})`);
        }
      }

      // The persisted events, listed in 1.3.
      const overview = this.section('Conversations, the event stream');
      const at = overview.prose.findIndex((l) => l.includes('The persisted events are:'));
      if (at < 0) return this.report(`${place(overview)}: the sentence "The persisted events are:" and its list are missing`);
      const listed: string[] = [];
      for (const line of overview.prose.slice(at + 1)) {
        if (!line.trim().startsWith('`')) break;
        listed.push(...codeSpans(line));
      }
      for (const type of streamTypes) {
        if (!listed.includes(type)) this.report(`${place(overview)}: add \`${type}\` to the list after "The persisted events are:" (it is a ConversationEvent, ${FILE_EVENTS})`);
      }
      for (const type of listed) {
        if (!streamTypes.includes(type)) this.report(`${place(overview)}: \`${type}\` is listed after "The persisted events are:" but is not a ConversationEvent; remove it, or add it to ConversationEvent (${FILE_EVENTS})`);
      }
    });
  }

  endpoints(): string[] {
    return this.collect(() => {
      const rest = this.section('REST API');
      const summarySection = this.section('Endpoint summary');
      const summary = summarySection.tables[0];
      if (!summary) return this.report(`${place(summarySection)}: the | Method | Path | Auth | Rate limit | Response | table is missing`);
      const headings = allSections(rest).filter((s) => s.level === 4);
      const endpointOf = (s: Section) => /^`(GET|POST|PUT|PATCH|DELETE) (\/\S*)`/.exec(s.title);
      const classes = new Set(Object.values(api).flatMap((e) => (e.rateLimit ? [e.rateLimit] : [])));
      const known = new Set<string>();

      for (const [name, e] of Object.entries(api)) {
        const key = `${e.method} ${e.path}`;
        known.add(key);
        const origin = `api.${name} (${FILE_API})`;
        const auth = e.auth ? 'yes' : 'no';
        const rate = e.rateLimit ?? '–';
        const response = responseLabel(e.response);
        const row = summary.rows.find((r) => r[0] === e.method && normalise(r[1]!) === e.path);
        if (!row) {
          this.report(`${place(summarySection)}: add the row | ${e.method} | \`${e.path}\` | ${auth} | ${rate} | ${response} | to the table at line ${summary.line} (${origin})`);
        } else {
          if (row[2] !== auth) this.report(`${place(summarySection)}: the row ${key} says Auth "${row[2]}"; ${origin} has auth ${e.auth}, so write "${auth}"`);
          const documentedClass = normalise(row[3]!);
          if (e.rateLimit ? documentedClass !== e.rateLimit : classes.has(documentedClass as never)) {
            this.report(`${place(summarySection)}: the row ${key} says Rate limit "${row[3]}"; ${origin} has ${e.rateLimit ? `rateLimit '${e.rateLimit}', so write \`${e.rateLimit}\`` : 'no rateLimit class'}`);
          }
          if (normalise(row[4]!) !== response) this.report(`${place(summarySection)}: the row ${key} says Response "${row[4]}"; ${origin} answers ${response}`);
        }

        const heading = headings.find((s) => endpointOf(s)?.[1] === e.method && endpointOf(s)?.[2] === e.path);
        if (!heading) {
          this.report(`${place(rest)}: add a section "#### \`${key}\`: <what it does>"${fieldsOf(e.body).length ? ' with a | Body field | Type | Constraints | table' : ''}${fieldsOf(e.query).length ? ' and a | Query | Type | Constraints | table' : ''} (${origin})`);
          continue;
        }
        this.requestPart(heading, e.body, 'Body field', `the body of ${origin}`);
        this.requestPart(heading, e.query, 'Query', `the query of ${origin}`);
        // The response: named types are defined once; an unnamed wrapper is spelled out in the summary.
        for (const unit of carried(e.response)) {
          if (nameOf(unit)) this.follow(unit, '', `${place(heading)}, the response`);
          else for (const field of fieldsOf(unit)) this.carriedBy(fieldSchema(unit, field), '', `${place(summarySection)}, the response \`${field}\` of ${key}`);
        }
      }

      for (const row of summary.rows) {
        const key = `${row[0]} ${normalise(row[1] ?? '')}`;
        if (normalise(row[1] ?? '').startsWith('/api/') && !known.has(key)) this.report(`${place(summarySection)}: the row ${key} is not in the api table (${FILE_API}); remove it, or add the endpoint`);
      }
      for (const heading of headings) {
        const m = endpointOf(heading);
        if (m && m[2]!.startsWith('/api/') && !known.has(`${m[1]} ${m[2]}`)) this.report(`${place(heading)}: ${m[1]} ${m[2]} is not in the api table (${FILE_API}); remove the section, or add the endpoint`);
      }
      const classTable = this.section('Rate-limit classes').tables[0];
      for (const c of classes) {
        if (!classTable?.rows.some((r) => codeSpans(r[0]!).includes(c))) this.report(`${place(this.section('Rate-limit classes'))}: add a row for the class \`${c}\` (used by the api table, ${FILE_API}) saying its default budget and what counts against it`);
      }
    });
  }

  dataTypes(): string[] {
    return this.collect(() => {
      const top = this.section('Data types');
      for (const child of top.children) {
        const schema = schemaNamed(child.title);
        if (!schema || fieldsOf(schema).length === 0) {
          this.report(`${place(child, top)}: no schema named ${child.title} is exported by packages/protocol; rename the section after the schema it describes, or remove it`);
          continue;
        }
        this.follow(schema, '', place(child, top));
      }
    });
  }

  errorCodes(): string[] {
    return this.collect(() => {
      const top = this.section('Error codes');
      const table = top.tables[0];
      const documented = table?.rows.map((r) => codeSpans(r[0]!)[0] ?? '') ?? [];
      for (const code of ERROR_CODES) {
        if (!documented.includes(code)) this.report(`${place(top)}: add the row | \`${code}\` | <HTTP status> | <meaning> | <details> | (ERROR_CODES in ${FILE_ERRORS} has it)`);
      }
      for (const code of documented) {
        if (!ERROR_CODES.includes(code as never)) this.report(`${place(top)}: \`${code}\` is not in ERROR_CODES (${FILE_ERRORS}); remove its row, or add the code`);
      }
    });
  }

  closeCodes(): string[] {
    return this.collect(() => {
      const top = this.section('WebSocket close codes');
      const rows = (top.tables[0]?.rows ?? []).filter((r) => codeSpans(r[1] ?? '').length > 0);
      for (const [name, code] of Object.entries(CloseCode)) {
        const row = rows.find((r) => codeSpans(r[1]!).includes(name));
        if (!row) this.report(`${place(top)}: add the row | ${code} | \`${name}\` | <when> | <what the client should do> | (CloseCode in ${FILE_ERRORS} has it)`);
        else if (row[0]!.trim() !== String(code)) this.report(`${place(top)}: \`${name}\` is ${code} in CloseCode (${FILE_ERRORS}), not ${row[0]}`);
      }
      for (const row of rows) {
        for (const name of codeSpans(row[1]!)) {
          if (!(name in CloseCode)) this.report(`${place(top)}: \`${name}\` (${row[0]}) is not in CloseCode (${FILE_ERRORS}); remove its row, or add the code`);
        }
      }
    });
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  private collect(check: () => void): string[] {
    this.problems = [];
    this.checked = new Set();
    check();
    return [...new Set(this.problems)];
  }

  private report(problem: string): void {
    this.problems.push(problem);
  }

  /** The first section whose title starts with `title`; a missing one is reported and stands in empty. */
  private section(title: string): Section {
    const found = this.sections.find((s) => s.title.startsWith(title));
    if (found) return found;
    this.report(`docs/PROTOCOL.md: the section "${title}" is missing`);
    return { level: 3, title, heading: `### ${title}`, line: 0, prose: [], tables: [], children: [] };
  }

  /** Checks the section of one frame or event under `top`, asking for it when it is missing. */
  private frameSection(top: Section, frame: Schema, common: ReadonlySet<string>): void {
    const type = typeOf(frame);
    const section = top.children.find((c) => codeSpans(c.title).includes(type));
    const own = fieldsOf(frame).filter((f) => !common.has(f));
    if (!section) {
      this.report(`${place(top)}: add a section "#### \`${type}\`" with a | Field | Type | Notes | table of ${list(own)} (${describe(frame)})`);
      return;
    }
    this.compare(frame, this.shapeOfSection(section, top), common);
  }

  /** The body or query table of an endpoint's section against its schema. */
  private requestPart(heading: Section, schema: Schema, header: string, what: string): void {
    const discriminator = discriminatorOf(schema);
    const table = heading.tables.find((t) => t.header[0] === header || (discriminator !== undefined && codeSpans(t.header[0]!)[0] === discriminator));
    const expected = fieldsOf(schema);
    if (!table) {
      if (expected.length > 0) this.report(`${place(heading)}: add a | ${header} | Type | Constraints | table with ${list(expected)} (${what})`);
      return;
    }
    if (expected.length === 0) {
      this.report(`${place(heading)}: the | ${header} | table at line ${table.line} documents fields, but ${what} has none; remove the table`);
      return;
    }
    this.compare(schema, this.shapeOfTable(table, `${place(heading)}, the table at line ${table.line}`), NOTHING);
  }

  /** The fields a section documents: its field table, or "Fields as in [Name]", or none yet. */
  private shapeOfSection(section: Section, parent: Section): DocShape {
    const where = place(section, parent);
    const table = section.tables.find((t) => FIELD_HEADERS.has(t.header[0]!) || t.header[0] === 'Variant');
    if (table) return this.shapeOfTable(table, where);
    const as = /Fields as in \[(\w+)\]/.exec(section.prose.join(' '));
    const definition = as ? this.definition(as[1]!) : undefined;
    if (definition) return { ...definition, where: `${where} (fields as in ${as![1]})` };
    return { where, fields: new Map(), hasTable: false };
  }

  private shapeOfTable(table: Table, where: string): DocShape {
    if (!FIELD_HEADERS.has(table.header[0]!)) return { where, fields: new Map(), hasTable: true, variants: table };
    const fields = new Map<string, string>();
    for (const row of table.rows) for (const name of identifiers(row[0]!)) fields.set(name, row.join(' | '));
    return { where, fields, hasTable: true };
  }

  /**
   * Where the document defines a named object: a "#### Name" section (1.4), a table introduced by a line that
   * names it and ends with ":", or a line that spells its fields: "`Name`: `{ "a": …, "b": … }`" or
   * "`Name` (`a`, `b`)".
   */
  private definition(name: string): DocShape | undefined {
    const heading = this.sections.find((s) => s.level === 4 && s.title === name);
    if (heading) {
      const shape = heading.tables[0] ? this.shapeOfTable(heading.tables[0], place(heading)) : { where: place(heading), fields: new Map<string, string>(), hasTable: false };
      // "every field of **User**, plus:" — the rows of that type count as written here.
      const base = /every field of \*\*(\w+)\*\*/.exec(heading.prose.join(' '));
      const inherited = base ? this.definition(base[1]!) : undefined;
      for (const [field, row] of inherited?.fields ?? []) if (!shape.fields.has(field)) shape.fields.set(field, row);
      return shape;
    }
    for (const section of this.sections) {
      for (const table of section.tables) {
        const intro = table.intro;
        if (intro.endsWith(':') && (intro.includes(`\`${name}\``) || intro.includes(`**${name}**`))) {
          return this.shapeOfTable(table, `${place(section)}, the table after "${intro}" (line ${table.line})`);
        }
      }
    }
    const spelled = new RegExp(`\`${name}\`\\s*(?::\\s*\`(\\{[^\`]*\\})\`|\\(((?:\`[^\`]+\`,?\\s*)+)\\))`);
    for (const section of this.sections) {
      for (const line of section.prose) {
        const m = spelled.exec(line);
        if (!m) continue;
        const names = m[1] ? braceKeys(m[1]) : identifiers(m[2]!);
        return { where: `${place(section)}, the line "${line.trim()}"`, fields: new Map(names.map((n) => [n, line])), hasTable: true };
      }
    }
    return undefined;
  }

  /** Compares one object (or discriminated union) with what the document says of it, then what its fields carry. */
  private compare(schema: Schema, doc: DocShape, common: ReadonlySet<string>): void {
    const discriminator = discriminatorOf(schema);
    if (discriminator && doc.variants) return this.compareVariants(schema, discriminator, doc);
    const what = describe(schema);
    const fields = fieldsOf(schema);
    const own = fields.filter((f) => !common.has(f));
    for (const field of own) {
      if (doc.fields.has(field)) continue;
      this.report(doc.hasTable ? `${doc.where}: add a row for \`${field}\`, a field of ${what}` : `${doc.where}: add a | Field | Type | Notes | table with a row for \`${field}\`, a field of ${what}`);
    }
    for (const field of doc.fields.keys()) {
      if (!fields.includes(field)) this.report(`${doc.where}: \`${field}\` is not a field of ${what}; remove its row, or add the field to the schema`);
    }
    for (const field of own) {
      const row = doc.fields.get(field);
      if (row === undefined) continue;
      // A named enum the row refers to by name (`ErrorCode`) is listed where that name is documented.
      const enumName = nameOf(unwrap(fieldSchema(schema, field)));
      const values =
        field === discriminator
          ? optionsOf(schema).map((o) => discriminatorValue(o, field))
          : enumName && row.includes(enumName)
            ? []
            : literalValues(fieldSchema(schema, field));
      for (const value of values) {
        if (typeof value === 'string' && !row.includes(`"${value}"`)) this.report(`${doc.where}: the row \`${field}\` should list "${value}", a value ${what} allows`);
      }
      this.carriedBy(fieldSchema(schema, field), row, `${doc.where}, the row \`${field}\``);
    }
  }

  /** A discriminated union documented with a row per variant. */
  private compareVariants(schema: Schema, discriminator: string, doc: DocShape): void {
    const table = doc.variants!;
    const byFields = table.header[0] === 'Variant';
    const valueOf = (row: string[]) =>
      byFields ? new RegExp(`"${discriminator}"\\s*:\\s*"([^"]+)"`).exec(row.join(' '))?.[1] : codeSpans(row[0]!)[0]?.replace(/^"|"$/g, '');
    const values = optionsOf(schema).map((o) => discriminatorValue(o, discriminator));
    for (const option of optionsOf(schema)) {
      const value = discriminatorValue(option, discriminator);
      const row = table.rows.find((r) => valueOf(r) === value);
      const where = `${doc.where}, the row for ${discriminator} "${value}"`;
      if (!row) {
        this.report(`${doc.where}: add a row for ${discriminator} "${value}" with its fields ${list(fieldsOf(option).filter((f) => f !== discriminator))} (${describe(schema)})`);
        continue;
      }
      const rest = row.slice(byFields ? 0 : 1).join(' | ');
      const names = byFields ? braceKeys(rest) : [discriminator, ...identifiers(rest)];
      this.compare(option, { where, fields: new Map(names.map((n) => [n, row.join(' | ')])), hasTable: true }, NOTHING);
    }
    for (const row of table.rows) {
      const value = valueOf(row);
      if (value !== undefined && !values.includes(value)) this.report(`${doc.where}: the row for ${discriminator} "${value}" matches no option of ${describe(schema)}; remove it, or add the option`);
    }
  }

  /** What a field carries: documented by a definition of its own, as a frame or event, or field by field in the row. */
  private carriedBy(schema: Schema, row: string, where: string): void {
    for (const unit of carried(schema)) this.follow(unit, row, where);
  }

  private follow(unit: Schema, row: string, where: string): void {
    if (this.roots.has(unit)) return;
    const name = nameOf(unit);
    const definition = name ? this.definition(name) : undefined;
    if (name && definition) {
      if (this.checked.has(name)) return;
      this.checked.add(name);
      return this.compare(unit, definition, NOTHING);
    }
    if (defOf(unit).type === 'union') {
      for (const option of optionsOf(unit)) this.follow(option, row, where);
      return;
    }
    const named = new Set([...identifiers(row), ...braceKeys(row)]);
    const missing = fieldsOf(unit).filter((f) => !named.has(f));
    if (missing.length > 0) {
      this.report(
        `${where}: name ${list(missing)} there (${missing.length > 1 ? 'fields' : 'a field'} of ${describe(unit)}), or document ${name ? `\`${name}\`` : 'the object'} in 1.4 Data types as "#### ${name ?? '<Name>'}" with a | Field | Type | Notes | table`,
      );
    }
    for (const field of fieldsOf(unit)) this.carriedBy(fieldSchema(unit, field), row, where);
  }
}

/** How the 3.3 summary writes a response: a named type, `{}`, or `{ field, … }` for an unnamed wrapper. */
function responseLabel(schema: Schema): string {
  const name = nameOf(schema);
  if (name === 'Empty') return '{}';
  if (name) return name;
  return `{ ${fieldsOf(schema).join(', ')} }`;
}
