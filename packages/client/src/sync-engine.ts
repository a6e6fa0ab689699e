/*
 * The sync engine: keeps the local state a gap-free copy of the server's, across reconnects and lost events.
 *
 * Owns the catch-up in progress (`POST /api/sync` with every held conversation's position), the request for one
 * more run, the retry timer, the gap fetches in progress (`GET /api/conversations/:id/events` for one
 * conversation), and the live events held back while a catch-up or a gap fetch runs.
 * Invariants:
 * - Live events are applied in the order they arrived, per conversation. From the moment a catch-up starts
 *   (synchronously, so that none slips in between the socket's `ready` and the request) until it ends, they are
 *   held, and then applied in order after the catch-up's own events.
 * - An event that does not follow its conversation's position is never applied out of order. A gap in a
 *   conversation held fetches that conversation's missing range only: its later events are held meanwhile (other
 *   conversations' flow on), and applied in order after the range; a duplicate is dropped by its position. An
 *   event of a conversation not held, a range the server will not replay (`refetch`), a failed fetch, or an event
 *   still out of order after the range fall back to a catch-up, holding everything after it. Once the gap is
 *   filled an event applies as the next position, or is dropped as a duplicate.
 * - A catch-up takes over the gap fetches in progress: their held events join its own, and their answers, when
 *   they come, are ignored (the catch-up's answer overwrites positions, so nothing may apply beside it).
 * - Concurrent requests share one run; a request during a run makes exactly one more run after it, since the
 *   positions the running one sent may already be stale.
 * - `sync()` never rejects: a failure is announced as `error` and retried after RETRY_MS while a connection is
 *   wanted (else the next connect catches up), except UNAUTHENTICATED, which ends the session. A failed run does
 *   not repeat at once, whatever asked for more meanwhile; until the retry, an event still out of order stays
 *   held, and everything after it with it.
 */
import type { ConversationEvent, ConversationEventsPage, ServerEvent } from '@hearth/protocol';
import type { Announce } from './client-events.js';
import { HearthError } from './errors.js';
import type { EventApplier } from './event-applier.js';
import type { HttpTransport } from './http.js';
import type { ClientState } from './state.js';

const RETRY_MS = 2000;
/**
 * `events.missed` reaches every socket of a server node at once: each client waits a random delay up to this long
 * before its catch-up, so that they do not all arrive together.
 */
const MISSED_SPREAD_MS = 3000;

/**
 * What the sync engine needs from the rest of the client.
 * @example const host: SyncHost = { http, state, applier, announce, reload: (id) => messages.loadLatest(id), endSession };
 */
export interface SyncHost {
  http: HttpTransport;
  state: ClientState;
  applier: EventApplier;
  announce: Announce;
  /** Reloads the latest page of a conversation whose loaded messages a catch-up dropped. */
  reload(conversationId: string): Promise<unknown>;
  /** The server refused the session during a catch-up. */
  endSession(): void;
  /**
   * Whether the socket is started (connecting, online or reconnecting): only then is a failed catch-up retried.
   * Otherwise the next `connect()` catches up anyway, and a disconnected or closed client must not keep calling
   * the server.
   */
  isConnectionWanted(): boolean;
}

/**
 * Catches up with the server and feeds it live events in order; `HearthClient` owns one. Never throws.
 * @example socket.on('event', (event) => engine.receive(event));
 */
export class SyncEngine {
  private running: Promise<void> | undefined;
  private again = false;
  /** Live events waiting for a catch-up, in arrival order; undefined while none is needed. */
  private held: ServerEvent[] | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A catch-up asked for by `events.missed`, waiting for its spread delay. */
  private missedTimer: ReturnType<typeof setTimeout> | undefined;
  /** By conversation: live events held while that conversation's missing range is fetched. */
  private readonly gaps = new Map<string, ConversationEvent[]>();
  /** Moves on when a catch-up starts: gap fetches begun before it are void. */
  private epoch = 0;
  /** The last catch-up failed: until one succeeds, gaps wait for the retry rather than fetching at once. */
  private failing = false;

  constructor(private readonly host: SyncHost) {}

  /** A live event from the socket: applied now, or held for the catch-up or gap fetch it waits for. */
  receive(event: ServerEvent): void {
    if (event.type === 'events.missed' && this.missedTimer === undefined) {
      this.missedTimer = setTimeout(() => {
        this.missedTimer = undefined;
        void this.sync();
      }, Math.random() * MISSED_SPREAD_MS);
    }
    const gap = 'pts' in event ? this.gaps.get(event.conversationId) : undefined;
    if (gap) {
      gap.push(event as ConversationEvent);
      return;
    }
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (this.host.applier.applyLive(event) !== 'out-of-order') return;
    if ('pts' in event && !this.failing && this.host.state.conversations.has(event.conversationId)) {
      void this.fillGap(event);
    } else {
      this.holdAndSync([event]);
    }
  }

  /** Catches up; concurrent calls share one run (see the invariants above). Never rejects. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the retry timer and a catch-up waiting for its spread delay. */
  close(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.missedTimer);
    this.missedTimer = undefined;
  }

  /** Holds `events` (and everything after them) for a catch-up, and asks for one. */
  private holdAndSync(events: ServerEvent[]): void {
    (this.held ??= []).push(...events);
    void this.sync();
  }

  /**
   * Fetches one conversation's events after its held position and applies them, then the live events held for it
   * meanwhile. Falls back to a catch-up (see the invariants) rather than apply anything out of order.
   */
  private async fillGap(first: ConversationEvent): Promise<void> {
    const { conversationId } = first;
    const held = [first];
    this.gaps.set(conversationId, held);
    const epoch = this.epoch;
    const after = this.host.state.conversations.get(conversationId)!.pts;
    let page: ConversationEventsPage | undefined;
    try {
      page = await this.host.http.call('conversationEvents', { params: { conversationId }, query: { after } });
    } catch {
      page = undefined;
    }
    if (epoch !== this.epoch) return;
    this.gaps.delete(conversationId);
    if (!page || page.refetch) return this.holdAndSync(held);
    for (const event of page.events) this.host.applier.applyLive(event);
    const stuck = held.findIndex((event) => this.host.applier.applyLive(event) === 'out-of-order');
    if (stuck >= 0) this.holdAndSync(held.slice(stuck));
  }

  private async run(): Promise<void> {
    clearTimeout(this.retryTimer);
    do {
      this.again = false;
      this.held ??= [];
      this.epoch++;
      for (const events of this.gaps.values()) this.held.push(...events);
      this.gaps.clear();
      const caughtUp = await this.attempt();
      this.release();
      // After a failure the retry timer decides when to try again: a held event that is still out of order asks
      // for another run at once, and looping on it would hammer a server that is down or refusing.
      if (!caughtUp) return;
    } while (this.again);
  }

  /** One catch-up; false when it failed (announced, and retried later unless the session is gone). */
  private async attempt(): Promise<boolean> {
    try {
      await this.catchUp();
      this.failing = false;
      return true;
    } catch (err) {
      this.failing = true;
      this.host.announce('error', err instanceof HearthError ? err : new HearthError('PROTOCOL_ERROR', String(err)));
      if (err instanceof HearthError && err.code === 'UNAUTHENTICATED') {
        this.host.endSession();
      } else if (this.host.isConnectionWanted()) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.sync(), RETRY_MS);
      }
      return false;
    }
  }

  /** One round trip: sends every held position, applies the answer, reloads what it dropped. */
  private async catchUp(): Promise<void> {
    const { state } = this.host;
    const response = await this.host.http.call('sync', {
      body: {
        conversations: [...state.conversations.values()].map((c) => ({ id: c.id, pts: c.pts })),
        ...(state.cursor !== undefined ? { cursor: state.cursor } : {}),
      },
    });
    for (const conversationId of this.host.applier.applyCatchUp(response)) {
      this.host.announce('refetch', { conversationId });
      void this.host.reload(conversationId).catch((err: unknown) => this.host.announce('error', err as HearthError));
    }
    this.host.announce('synced', { serverTime: response.serverTime });
  }

  /** Applies the held live events in order; one that is out of order again starts holding anew. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.receive(event);
    this.host.announce('change', undefined);
  }
}
