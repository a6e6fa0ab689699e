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
 * Publish/subscribe between the services that produce events and the nodes that hold sockets. In-process today;
 * a Redis backend later implements the same interface so that several nodes share one stream of events.
 * Publishers publish only after their transaction commits.
 */
export interface Bus {
  publish(topic: string, event: ServerEvent, hints?: DeliveryHints): void;
  /** Returns the function that unsubscribes this handler. */
  subscribe(topic: string, handler: BusHandler): () => void;
  close(): Promise<void>;
}

export const topics = {
  conversation: (id: string) => `c:${id}`,
  user: (id: string) => `u:${id}`,
  /** Every presence change; each node filters for the sockets allowed to see it. */
  presence: 'presence',
} as const;

/** The in-process bus: delivery is synchronous and in publish order. */
export class LocalBus implements Bus {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(private readonly onHandlerError: (err: unknown) => void = () => undefined) {}

  publish(topic: string, event: ServerEvent, hints: DeliveryHints = {}): void {
    const set = this.handlers.get(topic);
    if (!set || set.size === 0) return;
    const message: BusMessage = { topic, event, raw: JSON.stringify(event), hints };
    for (const handler of set) {
      try {
        handler(message);
      } catch (err) {
        this.onHandlerError(err);
      }
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      const current = this.handlers.get(topic);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) this.handlers.delete(topic);
    };
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
