import type { Kysely, Selectable } from 'kysely';
import { RowsQuery } from '../../platform/db/rows-query.js';
import type { DB, MembershipsTable } from '../../platform/db/schema.js';

export type MembershipRow = Selectable<MembershipsTable>;
type Executor = Kysely<DB>;

export async function find(db: Executor, conversationId: string, userId: string): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

// Every batch of sends runs it: built once per number of pairs (RowsQuery), not per call.
const selectPairs = new RowsQuery<{ conversationId: string; userId: string }>(['conversationId', 'userId'], (db, pairs) =>
  db
    .selectFrom('memberships')
    .selectAll()
    .where((eb) => eb(eb.refTuple('conversation_id', 'user_id'), 'in', pairs.map((p) => eb.tuple(p.conversationId, p.userId)))),
);

/** The memberships among the given (conversation, user) pairs that exist, keyed `conversationId:userId`. */
export async function findPairs(db: Executor, pairs: ReadonlyArray<readonly [string, string]>): Promise<Map<string, MembershipRow>> {
  if (pairs.length === 0) return new Map();
  const rows = await selectPairs.execute<MembershipRow>(db, pairs.map(([conversationId, userId]) => ({ conversationId, userId })));
  return new Map(rows.map((r) => [`${r.conversation_id}:${r.user_id}`, r]));
}

export async function listByConversation(db: Executor, conversationId: string): Promise<MembershipRow[]> {
  return db.selectFrom('memberships').selectAll().where('conversation_id', '=', conversationId).orderBy('joined_at').execute();
}

/** The member ids of each of the given conversations. */
export async function memberIdsOf(db: Executor, conversationIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (conversationIds.length === 0) return out;
  const rows = await db.selectFrom('memberships').select(['conversation_id', 'user_id']).where('conversation_id', 'in', conversationIds).execute();
  for (const row of rows) {
    let list = out.get(row.conversation_id);
    if (!list) out.set(row.conversation_id, (list = []));
    list.push(row.user_id);
  }
  return out;
}

export async function listByUser(db: Executor, userId: string): Promise<MembershipRow[]> {
  return db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute();
}

/** The conversations the user is in; direct ones only once they have a message (see `isPendingDirect`). */
export async function conversationIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('m.conversation_id')
    .where('m.user_id', '=', userId)
    .where((eb) => eb.or([eb('c.kind', '!=', 'direct'), eb('c.last_message_seq', '>', 0)]))
    .execute();
  return rows.map((r) => r.conversation_id);
}

export async function insertMany(db: Executor, rows: MembershipRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('memberships').values(rows).execute();
}

export async function remove(db: Executor, conversationId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('memberships')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function update(
  db: Executor,
  conversationId: string,
  userId: string,
  fields: Partial<Pick<MembershipRow, 'role' | 'muted' | 'delivered_seq' | 'read_seq' | 'receipts_updated_at' | 'delivered_updated_at'>>,
): Promise<void> {
  await db.updateTable('memberships').set(fields).where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

/** `update` for several members of one conversation at once. */
export async function updateMany(
  db: Executor,
  conversationId: string,
  userIds: readonly string[],
  fields: Partial<Pick<MembershipRow, 'delivered_seq' | 'read_seq'>>,
): Promise<void> {
  if (userIds.length > 0) await db.updateTable('memberships').set(fields).where('conversation_id', '=', conversationId).where('user_id', 'in', userIds).execute();
}

/**
 * Stamps the members' receipt pointers with a change number (`platform/db/change-counter.ts`): both pointers'
 * with `delivered`, else only `receipts_change` (a move of the read pointer alone).
 */
export async function stampReceipts(db: Executor, pairs: ReadonlyArray<readonly [string, string]>, change: number, delivered: boolean): Promise<void> {
  if (pairs.length === 0) return;
  await db
    .updateTable('memberships')
    .set(delivered ? { receipts_change: change, delivered_change: change } : { receipts_change: change })
    .where((eb) => eb(eb.refTuple('conversation_id', 'user_id'), 'in', pairs.map(([c, u]) => eb.tuple(c, u))))
    .execute();
}

/** Receipt pointers in the user's conversations stamped after change `after` (all without it), except the user's own. */
export async function receiptsChangedAfter(db: Executor, userId: string, after: number | undefined): Promise<MembershipRow[]> {
  let query = db
    .selectFrom('memberships as other')
    .innerJoin('memberships as mine', 'mine.conversation_id', 'other.conversation_id')
    .selectAll('other')
    .where('mine.user_id', '=', userId)
    .where('other.user_id', '!=', userId);
  if (after !== undefined) query = query.where('other.receipts_change', '>', after);
  return query.execute();
}

/** The longest-standing member with the given role, to inherit ownership. */
export async function oldestWithRole(db: Executor, conversationId: string, role: MembershipRow['role']): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('role', '=', role)
    .orderBy('joined_at')
    .orderBy('user_id')
    .limit(1)
    .executeTakeFirst();
}
