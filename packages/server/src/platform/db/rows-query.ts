import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/** Where a compiled parameter comes from: a field of one of the rows, or a value of the query itself. */
type Slot = { row: number; field: number } | { value: unknown };

interface Template {
  sql: string;
  slots: Slot[];
}

/** Templates kept per query and dialect (one per row count); the least recently used is dropped first. */
const MAX_TEMPLATES = 128;

/** Marks a sentinel value: a private-use character no stored text of the probe can contain. */
const SENTINEL = '\uE000';
const SENTINEL_VALUE = /^\uE000(\d+):(\d+)$/;

/**
 * A query over many rows (a multi-row INSERT, a tuple IN list) run without building it anew for every call. Kysely
 * makes several frozen objects for each value of a query it builds and compiles them to SQL on every call; for the
 * multi-row statements of a batch of sends that was a large share of the server's CPU and garbage per message. The
 * SQL of such a query depends only on the dialect and the number of rows, so it is built once per row count from
 * sentinel rows, and where each sentinel lands among the compiled parameters says where each row's values go. Later
 * calls only fill in a parameter array. The SQL is still Kysely's, from the `build` the store gives.
 *
 * @example
 * const insert = new RowsQuery<Row>(['a', 'b'], (db, rows) => db.insertInto('t').values(rows));
 * await insert.execute(trx, rows);
 */
export class RowsQuery<Row extends object> {
  /** By the dialect's adapter, which a Kysely instance shares with its transactions, then by row count. */
  private readonly templates = new WeakMap<object, Map<number, Template>>();

  constructor(
    private readonly fields: ReadonlyArray<keyof Row & string>,
    private readonly build: (db: Kysely<DB>, rows: Row[]) => Compilable<unknown>,
  ) {}

  /** Runs the query for these rows (at least one) and returns what it selects or returns. */
  async execute<O>(db: Kysely<DB>, rows: readonly Row[]): Promise<O[]> {
    // The SQL differs between dialects (one process may serve both, as the tests do). `getExecutor` is marked
    // internal in Kysely's types; its adapter is the one stable object that names the dialect of a transaction.
    const adapter = db.getExecutor().adapter;
    let templates = this.templates.get(adapter);
    if (!templates) this.templates.set(adapter, (templates = new Map<number, Template>()));
    const key = rows.length;
    let template = templates.get(key);
    if (template) {
      templates.delete(key);
    } else {
      template = this.compile(db, key);
      if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
    }
    templates.set(key, template);
    const parameters = template.slots.map((slot) => ('value' in slot ? slot.value : rows[slot.row]![this.fields[slot.field]!]));
    return (await db.executeQuery<O>(CompiledQuery.raw(template.sql, parameters))).rows;
  }

  private compile(db: Kysely<DB>, count: number): Template {
    const sentinels = Array.from({ length: count }, (_, row) => this.sentinelRow(row));
    const compiled = this.build(db, sentinels).compile();
    const slots = compiled.parameters.map((p): Slot => {
      const match = typeof p === 'string' ? SENTINEL_VALUE.exec(p) : null;
      return match ? { row: Number(match[1]), field: Number(match[2]) } : { value: p };
    });
    return { sql: compiled.sql, slots };
  }

  private sentinelRow(row: number): Row {
    return Object.fromEntries(this.fields.map((field, i) => [field, `${SENTINEL}${row}:${i}`])) as Row;
  }
}
