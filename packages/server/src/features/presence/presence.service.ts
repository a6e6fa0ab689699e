import type { Presence, PresenceState } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import { topics, type Bus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import * as users from '../users/users.store.js';

/** What a registry reports: a real change of a person's state, once for the whole installation. */
export interface PresenceAnnouncer {
  /** A person became online or away. */
  changed(userId: string, state: Exclude<PresenceState, 'offline'>): void;
  /** A person's last device anywhere closed a grace period ago: stores "last seen", then announces it. */
  wentOffline(userId: string): Promise<void>;
}

/**
 * Where the devices of every person are kept. `LocalPresence` (below) holds this node's, for one node;
 * `RedisPresence` (`redis-presence.ts`) holds every node's in Redis. Each decides when a person's state really
 * changes and tells the announcer exactly once per change.
 */
export interface PresenceRegistry {
  connect(userId: string, connectionId: string): void;
  setIdle(userId: string, connectionId: string, idle: boolean): void;
  disconnect(userId: string, connectionId: string): void;
  /** The state of each given user (offline for anyone unknown). */
  statesOf(userIds: readonly string[]): Promise<PresenceState[]>;
  /** On shutdown: forgets this node's devices; answers the users they belonged to. */
  close(): Promise<string[]>;
}

/**
 * Presence: online while any device of a person is active, away while all are idle, offline a grace period after
 * the last one closes (a quick reconnect is not a flap), with "last seen" stored. Changes go to the presence
 * topic, and the gateway passes them only to people who share a conversation. Which devices exist is the
 * registry's business: this node's (`LocalPresence`) or every node's (`RedisPresence`).
 */
export class PresenceService {
  private readonly registry: PresenceRegistry;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly log: Logger,
    registry: (announcer: PresenceAnnouncer) => PresenceRegistry,
  ) {
    this.registry = registry({
      changed: (userId, state) => this.bus.publish(topics.presence, { type: 'presence', userId, state, lastSeenAt: this.clock.now() }),
      wentOffline: (userId) => this.announceOffline(userId),
    });
  }

  connect(userId: string, connectionId: string): void {
    this.registry.connect(userId, connectionId);
  }

  setIdle(userId: string, connectionId: string, idle: boolean): void {
    this.registry.setIdle(userId, connectionId, idle);
  }

  disconnect(userId: string, connectionId: string): void {
    this.registry.disconnect(userId, connectionId);
  }

  /** The presence of the given users; "last seen" of offline ones comes from the database. */
  async snapshot(userIds: readonly string[]): Promise<Presence[]> {
    const now = this.clock.now();
    const states = await this.registry.statesOf(userIds);
    const offline = userIds.filter((_, i) => states[i] === 'offline');
    const lastSeen = new Map((await users.findByIds(this.db, offline)).map((u) => [u.id, u.last_seen_at === null ? null : Number(u.last_seen_at)]));
    return userIds.map((userId, i) => {
      const state = states[i]!;
      return { userId, state, lastSeenAt: state === 'offline' ? (lastSeen.get(userId) ?? null) : now };
    });
  }

  /** On shutdown: everyone here was last seen now. */
  async close(): Promise<void> {
    const ids = await this.registry.close();
    const now = this.clock.now();
    for (const id of ids) await users.update(this.db, id, { last_seen_at: now }).catch(() => undefined);
  }

  private async announceOffline(userId: string): Promise<void> {
    const now = this.clock.now();
    try {
      await users.update(this.db, userId, { last_seen_at: now });
    } catch (err) {
      this.log.error({ err, userId }, 'could not store last seen');
    }
    this.bus.publish(topics.presence, { type: 'presence', userId, state: 'offline', lastSeenAt: now });
  }
}

interface UserPresence {
  /** Each connected device, and whether it reported idle. */
  devices: Map<string, boolean>;
  state: PresenceState;
  /** Cancels the pending offline, during the grace after the last device closed. */
  cancelOffline: (() => void) | undefined;
}

/** The devices of this node only: the registry of a single node (the default). */
export class LocalPresence implements PresenceRegistry {
  private readonly byUser = new Map<string, UserPresence>();

  constructor(
    private readonly clock: Clock,
    private readonly offlineGraceMs: number,
    private readonly announce: PresenceAnnouncer,
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

  statesOf(userIds: readonly string[]): Promise<PresenceState[]> {
    return Promise.resolve(userIds.map((id) => this.byUser.get(id)?.state ?? 'offline'));
  }

  close(): Promise<string[]> {
    const ids = [...this.byUser.keys()];
    for (const entry of this.byUser.values()) entry.cancelOffline?.();
    this.byUser.clear();
    return Promise.resolve(ids);
  }

  private recompute(userId: string, entry: UserPresence): void {
    const state = [...entry.devices.values()].some((idle) => !idle) ? 'online' : 'away';
    if (state === entry.state) return;
    entry.state = state;
    this.announce.changed(userId, state);
  }

  private async goOffline(userId: string): Promise<void> {
    const entry = this.byUser.get(userId);
    if (!entry || entry.devices.size > 0) return;
    this.byUser.delete(userId);
    await this.announce.wentOffline(userId);
  }
}
