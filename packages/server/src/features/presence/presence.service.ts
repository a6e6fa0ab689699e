import type { Presence, PresenceState } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import { topics, type Bus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import * as users from '../users/users.store.js';

interface UserPresence {
  /** Each connected device, and whether it reported idle. */
  devices: Map<string, boolean>;
  state: PresenceState;
  /** Cancels the pending offline, during the grace after the last device closed. */
  cancelOffline: (() => void) | undefined;
}

/**
 * Presence, from the connections this node holds: online while any device is active, away while all are idle,
 * offline a grace period after the last one closes (a quick reconnect is not a flap), with "last seen" stored.
 * Changes go to the presence topic, and the gateway passes them only to people who share a conversation.
 * State lives in this process; running several nodes moves it to the shared store the bus uses.
 */
export class PresenceService {
  private readonly byUser = new Map<string, UserPresence>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly offlineGraceMs: number,
    private readonly log: Logger,
  ) {}

  connect(userId: string, connectionId: string): void {
    let entry = this.byUser.get(userId);
    if (!entry) this.byUser.set(userId, (entry = { devices: new Map(), state: 'offline', cancelOffline: undefined }));
    entry.cancelOffline?.();
    entry.cancelOffline = undefined;
    entry.devices.set(connectionId, false);
    this.recompute(userId, entry);
  }

  setIdle(userId: string, connectionId: string, idle: boolean): void {
    const entry = this.byUser.get(userId);
    if (!entry || !entry.devices.has(connectionId)) return;
    entry.devices.set(connectionId, idle);
    this.recompute(userId, entry);
  }

  disconnect(userId: string, connectionId: string): void {
    const entry = this.byUser.get(userId);
    if (!entry) return;
    entry.devices.delete(connectionId);
    if (entry.devices.size > 0) return this.recompute(userId, entry);
    entry.cancelOffline?.();
    entry.cancelOffline = this.clock.after(this.offlineGraceMs, () => void this.goOffline(userId));
  }

  /** The presence of the given users; "last seen" of offline ones comes from the database. */
  async snapshot(userIds: readonly string[]): Promise<Presence[]> {
    const now = this.clock.now();
    const offline = userIds.filter((id) => (this.byUser.get(id)?.state ?? 'offline') === 'offline');
    const lastSeen = new Map((await users.findByIds(this.db, offline)).map((u) => [u.id, u.last_seen_at === null ? null : Number(u.last_seen_at)]));
    return userIds.map((userId) => {
      const state = this.byUser.get(userId)?.state ?? 'offline';
      return { userId, state, lastSeenAt: state === 'offline' ? (lastSeen.get(userId) ?? null) : now };
    });
  }

  /** On shutdown: everyone here is offline now. */
  async close(): Promise<void> {
    const ids = [...this.byUser.keys()];
    for (const entry of this.byUser.values()) entry.cancelOffline?.();
    this.byUser.clear();
    const now = this.clock.now();
    for (const id of ids) await users.update(this.db, id, { last_seen_at: now }).catch(() => undefined);
  }

  private recompute(userId: string, entry: UserPresence): void {
    const state: PresenceState = [...entry.devices.values()].some((idle) => !idle) ? 'online' : 'away';
    if (state === entry.state) return;
    entry.state = state;
    this.bus.publish(topics.presence, { type: 'presence', userId, state, lastSeenAt: this.clock.now() });
  }

  private async goOffline(userId: string): Promise<void> {
    const entry = this.byUser.get(userId);
    if (!entry || entry.devices.size > 0) return;
    this.byUser.delete(userId);
    const now = this.clock.now();
    try {
      await users.update(this.db, userId, { last_seen_at: now });
    } catch (err) {
      this.log.error({ err, userId }, 'could not store last seen');
    }
    this.bus.publish(topics.presence, { type: 'presence', userId, state: 'offline', lastSeenAt: now });
  }
}
