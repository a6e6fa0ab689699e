import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

/*
 * The change counter: sync's cursor. A write that changes something sync reports by cursor takes the next value
 * inside its transaction and stamps the rows it changed with it; sync reads the committed value first, then the
 * rows stamped above the client's cursor, and hands that value back as the next cursor.
 *
 * Why it cannot miss a change: `next` updates the counter's one row, and the row lock is held until commit. On
 * PostgreSQL a second writer waits at `next` until the first commits, so values are taken in commit order, and a
 * reader (read committed) sees the value of the last committed writer, never one a still-open transaction holds.
 * Any row stamped above that value commits after the read, and the next sync finds it. SQLite has one writer at a
 * time anyway. No clock is involved.
 *
 * Take it last in a transaction (after the positions, which lock conversation rows), and stamp only rows the
 * transaction already wrote: the counter lock is then held only for the stamps and the commit, and never waited
 * for while another lock is wanted, so it cannot take part in a deadlock.
 */

/** Takes the next change number; the counter row stays locked until the transaction ends. */
export async function nextChange(trx: Transaction<DB>): Promise<number> {
  const row = await trx
    .updateTable('change_counter')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** The last change number a committed transaction took. */
export async function committedChange(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('change_counter').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.value);
}
