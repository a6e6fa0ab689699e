import type { Me, UpdateMeBody, User } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics, type Bus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import { nextChange } from '../../platform/db/change-counter.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import * as users from './users.store.js';
import { toMe, toUser } from './users.views.js';

export class UsersService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly bus: Bus,
    private readonly clock: Clock,
  ) {}

  async getMe(actor: Actor): Promise<Me> {
    return toMe(await this.requireRow(actor.userId));
  }

  /** Updates the caller's profile; their devices get `me.updated`, their contacts `user.updated`. */
  async updateMe(actor: Actor, body: UpdateMeBody): Promise<Me> {
    const fields = {
      ...(body.displayName !== undefined ? { display_name: body.displayName } : {}),
      ...(body.statusText !== undefined ? { status_text: body.statusText } : {}),
      ...(body.statusEmoji !== undefined ? { status_emoji: body.statusEmoji } : {}),
      ...(body.timeZone !== undefined ? { time_zone: body.timeZone || null } : {}),
      ...(body.readReceipts !== undefined ? { read_receipts: body.readReceipts ? 1 : 0 } : {}),
      updated_at: this.clock.now(),
    };
    // The change number is taken after the row is written, so that the counter's lock is held only to commit.
    const row = await this.db.transaction().execute(async (trx) => {
      const updated = await users.update(trx, actor.userId, fields);
      return updated && users.update(trx, actor.userId, { profile_change: await nextChange(trx) });
    });
    if (!row) throw new HearthError('USER_NOT_FOUND');
    const me = toMe(row);
    this.bus.publish(topics.user(actor.userId), { type: 'me.updated', me });
    this.bus.publish(topics.presence, { type: 'user.updated', user: toUser(row) });
    return me;
  }

  async getUser(id: string): Promise<User> {
    return toUser(await this.requireRow(id));
  }

  async search(q: string, limit: number): Promise<User[]> {
    return (await users.search(this.db, q, limit)).map(toUser);
  }

  /** Every account with its settings, oldest first: for administrators (`hearth user list`). */
  async listAll(): Promise<Me[]> {
    return (await users.list(this.db)).map(toMe);
  }

  private async requireRow(id: string): Promise<users.UserRow> {
    const row = await users.findById(this.db, id);
    if (!row) throw new HearthError('USER_NOT_FOUND', { userId: id });
    return row;
  }
}
