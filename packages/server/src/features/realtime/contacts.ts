import type { Presence, ServerEvent } from '@hearth/protocol';
import type { BusMessage } from '../../platform/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { Connection } from './connection.js';

/** The members of one conversation that sockets of this node are in. */
interface Roster {
  members: Set<string>;
  /** Local sockets subscribed to the conversation. */
  sockets: Set<Connection>;
  /** While the member list is being read: the sockets waiting to be credited, and member changes seen meanwhile. */
  loading: { waiting: Map<Connection, boolean>; changes: Array<[userId: string, joined: boolean]> } | null;
}

export interface ContactsDeps {
  log: Logger;
  /** The members of each conversation, read from the database. */
  loadMembers(conversationIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Where the given users stand now. */
  presenceOf(userIds: readonly string[]): Promise<Presence[]>;
  write(conn: Connection, raw: string): void;
}

type PeopleEvent = Extract<ServerEvent, { type: 'presence' | 'user.updated' }>;

/**
 * Who may see whose presence and profile changes: people who share a conversation. For every conversation that
 * sockets of this node are in, the node keeps its member list (a roster), kept current by the conversation's own
 * member.joined / member.left events; each socket counts, per person, how many of its conversations they share.
 * Leaving a conversation is then a local, synchronous subtraction: nothing is read from the database and no
 * change can slip between the read and the event stream.
 */
export class Contacts {
  private readonly rosters = new Map<string, Roster>();
  /** For each user, the sockets that see their presence and profile. */
  private readonly watchers = new Map<string, Set<Connection>>();
  /** Contacts gained since the last tick, by socket: their current presence is sent once, batched. */
  private readonly fresh = new Map<Connection, Set<string>>();

  constructor(private readonly deps: ContactsDeps) {}

  /**
   * The socket is now in these conversations: credits it with their members once they are known. Resolves when
   * it has been credited. With `announce`, new contacts' current presence is sent to it (not at sign-in, where
   * the client's sync returns all of it). `known` member lists (from a conversation.joined event) save a read.
   */
  async attach(conn: Connection, conversationIds: readonly string[], announce: boolean, known?: Map<string, string[]>): Promise<void> {
    const toLoad: string[] = [];
    const waits: Array<Promise<void>> = [];
    for (const id of conversationIds) {
      let roster = this.rosters.get(id);
      if (!roster) {
        const members = known?.get(id);
        roster = { members: new Set(members ?? []), sockets: new Set(), loading: members ? null : { waiting: new Map(), changes: [] } };
        this.rosters.set(id, roster);
        if (!members) toLoad.push(id);
      }
      if (roster.sockets.has(conn)) continue;
      roster.sockets.add(conn);
      if (roster.loading) {
        roster.loading.waiting.set(conn, announce);
        waits.push(this.whenLoaded(id));
      } else {
        for (const userId of roster.members) this.add(conn, userId, announce);
      }
    }
    if (toLoad.length > 0) await this.load(toLoad);
    await Promise.all(waits);
  }

  /** The socket left the conversation (or was removed): it stops counting its members. */
  detach(conn: Connection, conversationId: string): void {
    const roster = this.rosters.get(conversationId);
    if (!roster || !roster.sockets.delete(conn)) return;
    if (roster.loading) roster.loading.waiting.delete(conn);
    else for (const userId of roster.members) this.remove(conn, userId);
    if (roster.sockets.size === 0 && !roster.loading) this.rosters.delete(conversationId);
  }

  /** The socket closed. */
  detachAll(conn: Connection, conversationIds: Iterable<string>): void {
    for (const id of conversationIds) this.detach(conn, id);
    for (const userId of conn.contacts.keys()) this.unwatch(conn, userId);
    conn.contacts.clear();
    this.fresh.delete(conn);
  }

  /** A member.joined or member.left event of a conversation, applied once per node before it is delivered. */
  onMembership(event: ServerEvent): void {
    if (event.type !== 'member.joined' && event.type !== 'member.left') return;
    const roster = this.rosters.get(event.conversationId);
    if (!roster) return;
    const userId = event.type === 'member.joined' ? event.member.userId : event.userId;
    const joined = event.type === 'member.joined';
    if (roster.loading) return void roster.loading.changes.push([userId, joined]);
    if (joined === roster.members.has(userId)) return;
    if (joined) roster.members.add(userId);
    else roster.members.delete(userId);
    for (const conn of roster.sockets) {
      if (joined) this.add(conn, userId, true);
      else this.remove(conn, userId);
    }
  }

  /** Delivers a presence or profile change to the sockets of people who share a conversation with its subject. */
  deliver(msg: BusMessage): void {
    const event = msg.event as PeopleEvent;
    const set = this.watchers.get(event.type === 'presence' ? event.userId : event.user.id);
    if (set) for (const conn of set) this.deps.write(conn, msg.raw);
  }

  private readonly loads = new Map<string, Promise<void>>();

  private whenLoaded(conversationId: string): Promise<void> {
    return this.loads.get(conversationId) ?? Promise.resolve();
  }

  private async load(conversationIds: string[]): Promise<void> {
    const done = this.deps.loadMembers(conversationIds).then(
      (members) => {
        for (const id of conversationIds) this.ready(id, members.get(id) ?? []);
      },
      (err: unknown) => {
        this.deps.log.error({ err }, 'could not read conversation members');
        for (const id of conversationIds) this.ready(id, []);
      },
    );
    for (const id of conversationIds) this.loads.set(id, done);
    await done;
    for (const id of conversationIds) if (this.loads.get(id) === done) this.loads.delete(id);
  }

  /** A roster's members are known: changes seen while reading are replayed on top, waiting sockets credited. */
  private ready(conversationId: string, memberIds: string[]): void {
    const roster = this.rosters.get(conversationId);
    if (!roster?.loading) return;
    const { waiting, changes } = roster.loading;
    roster.loading = null;
    roster.members = new Set(memberIds);
    for (const [userId, joined] of changes) {
      if (joined) roster.members.add(userId);
      else roster.members.delete(userId);
    }
    for (const [conn, announce] of waiting) for (const userId of roster.members) this.add(conn, userId, announce);
    if (roster.sockets.size === 0) this.rosters.delete(conversationId);
  }

  private add(conn: Connection, userId: string, announce: boolean): void {
    if (userId === conn.userId) return;
    const before = conn.contacts.get(userId) ?? 0;
    conn.contacts.set(userId, before + 1);
    if (before > 0) return;
    let set = this.watchers.get(userId);
    if (!set) this.watchers.set(userId, (set = new Set()));
    set.add(conn);
    if (announce) this.announce(conn, userId);
  }

  private remove(conn: Connection, userId: string): void {
    if (userId === conn.userId) return;
    const left = (conn.contacts.get(userId) ?? 0) - 1;
    if (left > 0) return void conn.contacts.set(userId, left);
    conn.contacts.delete(userId);
    this.unwatch(conn, userId);
  }

  private unwatch(conn: Connection, userId: string): void {
    const set = this.watchers.get(userId);
    set?.delete(conn);
    if (set?.size === 0) this.watchers.delete(userId);
  }

  /** A new contact's changes are delivered from now on; send where they stand now too (batched per tick). */
  private announce(conn: Connection, userId: string): void {
    if (this.fresh.size === 0) setImmediate(() => void this.announceFresh());
    let pending = this.fresh.get(conn);
    if (!pending) this.fresh.set(conn, (pending = new Set()));
    pending.add(userId);
  }

  private async announceFresh(): Promise<void> {
    const batch = [...this.fresh];
    this.fresh.clear();
    try {
      const presence = new Map((await this.deps.presenceOf([...new Set(batch.flatMap(([, ids]) => [...ids]))])).map((p) => [p.userId, p]));
      for (const [conn, ids] of batch) {
        for (const id of ids) {
          const p = presence.get(id);
          if (p && conn.contacts.has(id)) this.deps.write(conn, JSON.stringify({ type: 'presence', ...p }));
        }
      }
    } catch (err) {
      this.deps.log.error({ err }, 'could not announce presence of new contacts');
    }
  }
}
