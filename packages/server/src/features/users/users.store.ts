import type { Kysely, Selectable } from 'kysely';
import { containsIgnoringCase } from '../../platform/db/text-match.js';
import type { DB, UsersTable } from '../../platform/db/schema.js';

export type UserRow = Selectable<UsersTable>;
type Executor = Kysely<DB>;

export async function insert(db: Executor, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function findById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findByIds(db: Executor, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export async function count(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Users whose username or display name contains `q` (case-insensitive), by username. */
export async function search(db: Executor, q: string, limit: number): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().orderBy('username').limit(limit);
  if (q) query = query.where(containsIgnoringCase(['username', 'display_name'], q));
  return query.execute();
}

/** Makes the user an administrator if they are the oldest account (the server's first); true when it did. */
export async function promoteIfFirst(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ is_admin: 1 })
    .where('id', '=', id)
    .where('id', '=', (eb) => eb.selectFrom('users').select('id').orderBy('created_at').orderBy('id').limit(1))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function list(db: Executor): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('created_at').execute();
}

export async function update(
  db: Executor,
  id: string,
  fields: Partial<Omit<UserRow, 'id' | 'created_at'>>,
): Promise<UserRow | undefined> {
  return db.updateTable('users').set(fields).where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * Ids of everyone who shares at least one conversation with the user. A direct conversation nothing was said in yet
 * does not count: it is not shared until its first message.
 */
export async function contactIds(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships as mine')
    .innerJoin('memberships as other', 'other.conversation_id', 'mine.conversation_id')
    .innerJoin('conversations as c', 'c.id', 'mine.conversation_id')
    .select('other.user_id')
    .distinct()
    .where('mine.user_id', '=', userId)
    .where('other.user_id', '!=', userId)
    .where((eb) => eb.or([eb('c.kind', '!=', 'direct'), eb('c.last_message_seq', '>', 0)]))
    .execute();
  return rows.map((r) => r.user_id);
}

/** Profiles of the user's contacts (as `contactIds` counts them) stamped after change `after` (all without it). */
export async function contactsChangedAfter(db: Executor, userId: string, after: number | undefined): Promise<UserRow[]> {
  let query = db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('memberships as mine')
        .innerJoin('memberships as other', 'other.conversation_id', 'mine.conversation_id')
        .innerJoin('conversations as c', 'c.id', 'mine.conversation_id')
        .select('other.user_id')
        .where('mine.user_id', '=', userId)
        .where((eb2) => eb2.or([eb2('c.kind', '!=', 'direct'), eb2('c.last_message_seq', '>', 0)])),
    );
  if (after !== undefined) query = query.where('profile_change', '>', after);
  return query.execute();
}
