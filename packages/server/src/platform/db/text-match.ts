import { sql, type RawBuilder } from 'kysely';

/**
 * `column contains q`, ignoring case, for any of the given columns: a LIKE with the wildcards in `q` escaped.
 * ESCAPE is spelled out because SQLite has no default escape character for LIKE and PostgreSQL's is `\`.
 */
export function containsIgnoringCase(columns: readonly string[], q: string): RawBuilder<boolean> {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const tests = columns.map((column) => sql`lower(${sql.ref(column)}) like ${pattern} escape '\\'`);
  return sql<boolean>`(${sql.join(tests, sql` or `)})`;
}
