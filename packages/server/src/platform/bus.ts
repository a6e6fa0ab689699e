import type { ServerEvent } from '@hearth/protocol';

/** Delivery hints that travel with an event but never reach the wire. */
export interface DeliveryHints {
  /**
   * Only people who share read receipts may receive the event (besides its subject): a read pointer moved and
   * nothing else did, so to anyone else the event would only reveal when someone read.
   */
  receiptSharersOnly?: boolean;
}

/** An event on its way to subscribers, with its wire form serialised once for every recipient. */
export interface BusMessage {
  topic: string;
  event: ServerEvent;
  /** `JSON.stringify(event)`: the WebSocket frame as sent. */
  raw: string;
  hints: DeliveryHints;
}

export type BusHandler = (message: BusMessage) => void;

/**
 * Told that the bus may have lost events of these topics (its connection dropped and came back): they are
 * subscribed again, and events published from now on are delivered; what was published meanwhile is not.
 */
export type GapListener = (topics: string[]) => void;

/**
 * Publish/subscribe between the services that produce events and the nodes that hold sockets: in-process
 * (`LocalBus`, one node) or through Redis (`RedisBus`, several nodes sharing one stream of events).
 *
 * - Publishers publish only after their transaction commits. `publish` never blocks and never throws: a failure to
 *   hand the event on is logged (the clients' positions reveal the gap, and they catch up by sync).
 * - A subscription counts once its promise resolves: every event published after that reaches the handler, in
 *   publish order per publisher, unless the bus reports a gap (`onGap`) for the topic.
 */
export interface Bus {
  /** For the start-up log line: `local` or `redis`. */
  readonly kind: string;
  /** Whether events can be lost (and gaps reported): only then do subscribers need to track positions. */
  readonly lossy: boolean;
  publish(topic: string, event: ServerEvent, hints?: DeliveryHints): void;
  /** Resolves, once the subscription is live, to the function that unsubscribes this handler. */
  subscribe(topic: string, handler: BusHandler): Promise<() => void>;
  /** Registers a listener for gaps; returns the function that removes it. */
  onGap(listener: GapListener): () => void;
  close(): Promise<void>;
}

export const topics = {
  conversation: (id: string) => `c:${id}`,
  user: (id: string) => `u:${id}`,
  /** Every presence change; each node filters for the sockets allowed to see it. */
  presence: 'presence',
} as const;

/**
 * Handlers by topic, shared by both buses: each topic's set of local handlers, and delivery to them, where one
 * handler's failure does not stop the others.
 */
export class HandlerTable {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(private readonly onHandlerError: (err: unknown) => void) {}

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  has(topic: string): boolean {
    return (this.handlers.get(topic)?.size ?? 0) > 0;
  }

  /** Adds a handler; true if it is the topic's first. */
  add(topic: string, handler: BusHandler): boolean {
    let set = this.handlers.get(topic);
    const first = !set;
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return first;
  }

  /** Removes a handler; true if it was the topic's last. */
  remove(topic: string, handler: BusHandler): boolean {
    const set = this.handlers.get(topic);
    if (!set?.delete(handler)) return false;
    if (set.size > 0) return false;
    this.handlers.delete(topic);
    return true;
  }

  deliver(message: BusMessage): void {
    const set = this.handlers.get(message.topic);
    if (!set) return;
    for (const handler of set.size === 1 ? set : [...set]) {
      try {
        handler(message);
      } catch (err) {
        this.onHandlerError(err);
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}

/**
 * The in-process bus: a subscription is live at once (its promise is already resolved), delivery is synchronous
 * and in publish order, and nothing is ever lost, so there are no gaps.
 */
export class LocalBus implements Bus {
  readonly kind = 'local';
  readonly lossy = false;
  private readonly table: HandlerTable;

  constructor(onHandlerError: (err: unknown) => void = () => undefined) {
    this.table = new HandlerTable(onHandlerError);
  }

  publish(topic: string, event: ServerEvent, hints: DeliveryHints = {}): void {
    if (!this.table.has(topic)) return;
    this.table.deliver({ topic, event, raw: JSON.stringify(event), hints });
  }

  subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    this.table.add(topic, handler);
    return Promise.resolve(() => void this.table.remove(topic, handler));
  }

  onGap(): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    this.table.clear();
    return Promise.resolve();
  }
}
