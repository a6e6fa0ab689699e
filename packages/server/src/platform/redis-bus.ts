import type { ServerEvent } from '@hearth/protocol';
import { Redis } from 'ioredis';
import { HandlerTable, type Bus, type BusHandler, type DeliveryHints, type GapListener } from './bus.js';
import type { Logger } from './logger.js';

export interface RedisBusOptions {
  url: string;
  /** Put before every channel name, so that several Hearth installations (or tests) can share one Redis. */
  prefix: string;
  log: Logger;
}

/**
 * The bus between nodes, over Redis pub/sub: one connection publishes, one subscribes. Each topic is one channel,
 * subscribed once per node however many local handlers it has (SUBSCRIBE with the first, UNSUBSCRIBE after the
 * last). A message is the event's hints as JSON, a newline, then the event as JSON: the WebSocket frame as sent,
 * so that no node serialises an event twice (JSON text never contains a raw newline).
 *
 * Redis pub/sub is at-most-once: a subscriber connection that drops (or that Redis cuts off for falling behind)
 * loses what was published meanwhile. When the connection comes back, every topic is subscribed again and the gap
 * listeners are told, so that their owner catches up from the database.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly lossy = true;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly table: HandlerTable;
  /** Per topic, the SUBSCRIBE that makes it live (shared by every handler added while it is under way). */
  private readonly live = new Map<string, Promise<void>>();
  private readonly gapListeners = new Set<GapListener>();
  private connectedOnce = false;
  /** While resubscribing: messages that arrive before the gap listeners have been told wait here. */
  private held: Array<[channel: string, payload: string]> | null = null;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    const { log } = options;
    this.table = new HandlerTable((err) => log.error({ err }, 'event subscriber failed'));
    // Named (CLIENT LIST shows which installation and role each connection serves).
    this.publisher = new Redis(options.url, { maxRetriesPerRequest: 2, connectionName: `${options.prefix}publisher` });
    // Subscriptions are restored by resubscribe(), which also reports the gap; ioredis' own would not.
    this.subscriber = new Redis(options.url, { autoResubscribe: false, maxRetriesPerRequest: null, connectionName: `${options.prefix}subscriber` });
    for (const [name, connection] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      connection.on('error', (err: unknown) => log.warn({ err, connection: name }, 'redis connection error'));
    }
    this.subscriber.on('close', () => {
      if (!this.closed && this.connectedOnce) log.warn('redis subscriber connection lost: events may be missed until it is back');
    });
    this.subscriber.on('ready', () => {
      if (this.connectedOnce) void this.resubscribe();
      this.connectedOnce = true;
    });
    this.subscriber.on('message', (channel: string, payload: string) => this.receive(channel, payload));
  }

  /** Resolves once both connections are up (or rejects with the first connection error). */
  async connected(): Promise<void> {
    const up = (connection: Redis) =>
      connection.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            connection.once('ready', resolve);
            connection.once('error', reject);
          });
    await Promise.all([up(this.publisher), up(this.subscriber)]);
  }

  publish(topic: string, event: ServerEvent, hints: DeliveryHints = {}): void {
    const payload = `${JSON.stringify(hints)}\n${JSON.stringify(event)}`;
    this.publisher.publish(this.options.prefix + topic, payload).catch((err: unknown) => {
      // Every node misses this event; clients see the next one's position jump and catch up by sync.
      this.options.log.error({ err, topic, type: event.type }, 'could not publish an event');
    });
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    if (this.table.add(topic, handler)) {
      const subscribing = this.subscriber.subscribe(this.options.prefix + topic).then(() => undefined);
      this.live.set(topic, subscribing);
      subscribing.catch(() => this.live.get(topic) === subscribing && this.live.delete(topic));
    }
    try {
      await this.live.get(topic);
    } catch (err) {
      this.unsubscribe(topic, handler);
      throw err;
    }
    return () => this.unsubscribe(topic, handler);
  }

  onGap(listener: GapListener): () => void {
    this.gapListeners.add(listener);
    return () => void this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.table.clear();
    this.live.clear();
    // QUIT lets queued publishes go out first; a connection that is not up would queue it forever: cut it.
    const end = (connection: Redis) =>
      connection.status === 'ready' ? connection.quit().then(() => undefined, () => connection.disconnect()) : connection.disconnect();
    await Promise.all([end(this.publisher), end(this.subscriber)]);
  }

  private unsubscribe(topic: string, handler: BusHandler): void {
    if (!this.table.remove(topic, handler)) return;
    this.live.delete(topic);
    // Commands on one connection run in order: a SUBSCRIBE sent after this one wins.
    this.subscriber.unsubscribe(this.options.prefix + topic).catch((err: unknown) => {
      if (!this.closed) this.options.log.warn({ err, topic }, 'could not unsubscribe');
    });
  }

  private receive(channel: string, payload: string): void {
    if (this.held) return void this.held.push([channel, payload]);
    if (!channel.startsWith(this.options.prefix)) return;
    const topic = channel.slice(this.options.prefix.length);
    if (!this.table.has(topic)) return;
    const split = payload.indexOf('\n');
    try {
      const hints = JSON.parse(payload.slice(0, split)) as DeliveryHints;
      const raw = payload.slice(split + 1);
      this.table.deliver({ topic, event: JSON.parse(raw) as ServerEvent, raw, hints });
    } catch (err) {
      this.options.log.error({ err, channel }, 'unreadable bus message');
    }
  }

  /**
   * After a reconnection: every topic is live again, then the gap is reported for all of them, and only then are
   * the messages that arrived in between delivered (so that a listener can hold them behind its catch-up).
   */
  private async resubscribe(): Promise<void> {
    const topicList = this.table.topics;
    const { log } = this.options;
    this.held ??= [];
    try {
      if (topicList.length > 0) await this.subscriber.subscribe(...topicList.map((t) => this.options.prefix + t));
    } catch (err) {
      // The connection dropped again: its next 'ready' starts over (what was held is lost with the gap anyway).
      this.held = null;
      return void log.warn({ err }, 'could not resubscribe after a reconnection');
    }
    log.info({ topics: topicList.length }, 'redis subscriber back: catching up');
    for (const listener of this.gapListeners) {
      try {
        listener(topicList);
      } catch (err) {
        log.error({ err }, 'gap listener failed');
      }
    }
    const held = this.held ?? [];
    this.held = null;
    for (const [channel, payload] of held) this.receive(channel, payload);
  }
}
