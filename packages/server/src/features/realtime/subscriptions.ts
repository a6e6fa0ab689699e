import { CloseCode, type ConversationEvent } from '@hearth/protocol';
import type { Bus, BusMessage } from '../../platform/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { Connection } from './connection.js';

/** What a node that may have missed events (a lossy bus reported a gap) reads to bring its sockets up to date. */
export interface CatchUp {
  /** The current position of each conversation. */
  positionsOf(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** The stored events after a position, in order; undefined when there are too many to replay. */
  eventsAfter(conversationId: string, after: number): Promise<ConversationEvent[] | undefined>;
}

export interface SubscriptionsDeps {
  bus: Bus;
  catchUp: CatchUp;
  log: Logger;
  /** Hands one event (live, or replayed after a gap) to the topic's local sockets. */
  fanOut(connections: ReadonlySet<Connection>, msg: BusMessage): void;
}

interface TopicEntry {
  topic: string;
  connections: Set<Connection>;
  /**
   * Sockets that joined the conversation at a known position and are being given what was published before the
   * subscription went live: the topic's live events wait here for each, in order.
   */
  joining: Map<Connection, BusMessage[]>;
  /** Resolves once the bus subscription is live (and, on a lossy bus, a conversation's position is known). */
  ready: Promise<void>;
  unsubscribe: (() => void) | undefined;
  /**
   * Conversation topics on a lossy bus: the highest position this node has delivered (or the conversation's
   * position when the subscription went live), where a catch-up after a gap starts.
   */
  delivered: number;
  /** Positions up to this one were delivered by a catch-up: the same events arriving late from the bus are skipped. */
  replayedThrough: number;
  /** While a catch-up runs, live events wait here, in order. */
  held: BusMessage[] | null;
  /** Catch-ups under way, and the last one (the next waits for it). */
  catchUps: number;
  catchingUp: Promise<void>;
}

/**
 * The node's bus subscriptions: one per topic however many local sockets want it, live before it counts, and,
 * on a bus that can lose events, brought up to date from the database after a gap (ARCHITECTURE.md, "The bus").
 */
/** At most this many conversations' positions are read in one query. */
const POSITION_BATCH = 500;

export class Subscriptions {
  private readonly entries = new Map<string, TopicEntry>();
  /** Positions asked for in this turn of the event loop, read together: a connect storm subscribes thousands. */
  private positionBatch: { ids: Set<string>; positions: Promise<Map<string, number>> } | undefined;

  constructor(private readonly deps: SubscriptionsDeps) {}

  /** The local sockets that receive a topic. */
  connectionsOf(topic: string): ReadonlySet<Connection> | undefined {
    return this.entries.get(topic)?.connections;
  }

  /** Adds the socket to the topic's recipients; resolves once the node's subscription to it is live. */
  async add(conn: Connection, topic: string): Promise<void> {
    const entry = this.entries.get(topic);
    if (conn.topics.has(topic)) return entry?.ready;
    conn.topics.add(topic);
    const live = entry ?? this.open(topic);
    live.connections.add(conn);
    await live.ready;
  }

  /**
   * Adds the socket to a conversation it joined while connected, whose position was `from` when it joined: once
   * the node's subscription is live, the socket gets the stored events after `from` (those published before the
   * subscription went live, which a lossy bus's subscription does not see: the first message of a direct
   * conversation follows its `conversation.joined` at once), then the live ones, in order and once each.
   * `add` on a bus that loses nothing.
   */
  async join(conn: Connection, topic: string, from: number): Promise<void> {
    // In process, a subscription is live as soon as it is made: the events that follow reach it.
    if (!this.deps.bus.lossy) return this.add(conn, topic);
    if (conn.topics.has(topic)) return this.entries.get(topic)?.ready;
    conn.topics.add(topic);
    const entry = this.entries.get(topic) ?? this.open(topic);
    const held: BusMessage[] = [];
    entry.joining.set(conn, held);
    try {
      await entry.ready;
      const events = await this.deps.catchUp.eventsAfter(topic.slice(2), from);
      if (entry.joining.get(conn) !== held) return; // the socket left meanwhile
      // Too many to replay (a very busy conversation): the socket resumes, and its sync brings it up to date.
      if (events === undefined) return conn.close(CloseCode.GOING_AWAY, 'catching up');
      const only = new Set([conn]);
      let through = from;
      for (const event of events) {
        through = Math.max(through, event.pts);
        this.deps.fanOut(only, { topic, event, raw: JSON.stringify(event), hints: {} });
      }
      for (const msg of held) if (!('pts' in msg.event) || msg.event.pts > through) this.deps.fanOut(only, msg);
      entry.joining.delete(conn);
      entry.connections.add(conn);
    } catch (err) {
      this.deps.log.error({ err, topic }, 'could not give a joined conversation its first events');
      this.remove(conn, topic);
      conn.close(CloseCode.GOING_AWAY, 'catching up');
    }
  }

  private open(topic: string): TopicEntry {
    const created: TopicEntry = {
      topic,
      connections: new Set(),
      joining: new Map(),
        ready: Promise.resolve(),
        unsubscribe: undefined,
        delivered: 0,
        replayedThrough: 0,
        held: null,
        catchUps: 0,
      catchingUp: Promise.resolve(),
    };
    created.ready = this.goLive(created);
    this.entries.set(topic, created);
    return created;
  }

  /** Removes the socket from the topic's recipients; the node unsubscribes after the last. */
  remove(conn: Connection, topic: string): void {
    conn.topics.delete(topic);
    const entry = this.entries.get(topic);
    if (!entry) return;
    entry.connections.delete(conn);
    entry.joining.delete(conn);
    if (entry.connections.size === 0 && entry.joining.size === 0) {
      entry.unsubscribe?.();
      this.entries.delete(topic);
    }
  }

  /**
   * After a gap: delivers the conversation's stored events after the last position this node delivered, in order,
   * holding live events meanwhile; those the catch-up covered are then skipped. Catch-ups of one topic run one at
   * a time.
   */
  catchUp(topic: string): void {
    const entry = this.entries.get(topic);
    if (!entry) return;
    entry.held ??= [];
    entry.catchUps++;
    entry.catchingUp = entry.catchingUp
      .then(() => this.replayGap(entry))
      .finally(() => {
        if (--entry.catchUps > 0) return;
        const held = entry.held ?? [];
        entry.held = null;
        for (const msg of held) this.onEvent(entry, msg);
      });
  }

  private async goLive(entry: TopicEntry): Promise<void> {
    const { topic } = entry;
    try {
      const unsubscribe = await this.deps.bus.subscribe(topic, (msg) => this.onEvent(entry, msg));
      // The last socket may have left while the subscription was being made.
      if (this.entries.get(topic) !== entry) return unsubscribe();
      entry.unsubscribe = unsubscribe;
      // Where a catch-up after a gap would start: read after the subscription is live, so nothing falls between.
      if (this.deps.bus.lossy && topic.startsWith('c:')) {
        entry.delivered = Math.max(entry.delivered, await this.positionOf(topic.slice(2)));
      }
    } catch (err) {
      // Its sockets could be missing events: they resume (and catch up by sync) on another try.
      if (this.entries.get(topic) === entry) this.entries.delete(topic);
      entry.unsubscribe?.();
      for (const conn of [...entry.connections, ...entry.joining.keys()]) {
        conn.topics.delete(topic);
        if (conn.ready) conn.close(CloseCode.GOING_AWAY, 'subscription failed');
      }
      throw err;
    }
  }

  private async positionOf(conversationId: string): Promise<number> {
    let batch = this.positionBatch;
    if (!batch || batch.ids.size >= POSITION_BATCH) {
      const ids = new Set<string>();
      const positions = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (this.positionBatch?.ids === ids) this.positionBatch = undefined;
        return this.deps.catchUp.positionsOf([...ids]);
      });
      this.positionBatch = batch = { ids, positions };
    }
    batch.ids.add(conversationId);
    return (await batch.positions).get(conversationId) ?? 0;
  }

  private onEvent(entry: TopicEntry, msg: BusMessage): void {
    if (entry.held) return void entry.held.push(msg);
    const pts = 'pts' in msg.event && entry.topic.startsWith('c:') ? msg.event.pts : undefined;
    if (pts !== undefined) {
      // Already delivered by a catch-up; a live event is otherwise passed on even late (the client orders by pts).
      if (pts <= entry.replayedThrough) return;
      entry.delivered = Math.max(entry.delivered, pts);
    }
    this.deliver(entry, msg);
  }

  /** Hands an event to the topic's sockets, and holds it for those still joining. */
  private deliver(entry: TopicEntry, msg: BusMessage): void {
    for (const held of entry.joining.values()) held.push(msg);
    this.deps.fanOut(entry.connections, msg);
  }

  private async replayGap(entry: TopicEntry): Promise<void> {
    try {
      await entry.ready;
      const events = await this.deps.catchUp.eventsAfter(entry.topic.slice(2), entry.delivered);
      // Too far behind to replay: the sockets resume, and their sync asks them to refetch.
      if (events === undefined) return this.resumeAll(entry);
      for (const event of events) {
        if (event.pts <= entry.delivered) continue;
        entry.delivered = event.pts;
        entry.replayedThrough = event.pts;
        this.deliver(entry, { topic: entry.topic, event, raw: JSON.stringify(event), hints: {} });
      }
    } catch (err) {
      this.deps.log.error({ err, topic: entry.topic }, 'could not catch up after a bus gap');
      this.resumeAll(entry);
    }
  }

  private resumeAll(entry: TopicEntry): void {
    for (const conn of [...entry.connections]) conn.close(CloseCode.GOING_AWAY, 'catching up');
  }
}
