import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionsTable } from '../../platform/db/schema.js';
import type { UserRow } from '../users/users.store.js';

export type SessionRow = Selectable<SessionsTable>;

export async function insert(db: Kysely<DB>, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** The session with this token hash and its user, in one query (it runs on every request). */
export async function findByTokenHash(db: Kysely<DB>, tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select([
      's.id as s_id',
      's.token_hash as s_token_hash',
      's.device_name as s_device_name',
      's.user_agent as s_user_agent',
      's.created_at as s_created_at',
      's.last_used_at as s_last_used_at',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { s_id, s_token_hash, s_device_name, s_user_agent, s_created_at, s_last_used_at, ...user } = row;
  return {
    session: {
      id: s_id,
      user_id: user.id,
      token_hash: s_token_hash,
      device_name: s_device_name,
      user_agent: s_user_agent,
      created_at: s_created_at,
      last_used_at: s_last_used_at,
    },
    user,
  };
}

export async function listByUser(db: Kysely<DB>, userId: string): Promise<SessionRow[]> {
  return db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('last_used_at', 'desc').execute();
}

export async function remove(db: Kysely<DB>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Removes every session of the user but `keepId`; returns the removed ids. */
export async function removeOthers(db: Kysely<DB>, userId: string, keepId: string | null): Promise<string[]> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepId) query = query.where('id', '!=', keepId);
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id);
}

export async function touch(db: Kysely<DB>, id: string, at: number): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** Which of the given session ids still exist. */
export async function existing(db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('sessions').select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}
