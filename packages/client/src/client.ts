import type { z } from 'zod';
import {
  Message,
  type ClientFrame,
  type Conversation,
  type ConversationEvent,
  type EventOf,
  type Limits,
  type ServerEvent,
  type ServerEventType,
} from '@hearth/protocol';
import { AuthApi } from './api/auth.js';
import { ConversationsApi } from './api/conversations.js';
import { MessagesApi } from './api/messages.js';
import { UsersApi } from './api/users.js';
import { Emitter } from './emitter.js';
import { HearthError } from './errors.js';
import { HttpTransport, type FetchLike } from './http.js';
import { Outbox, type OutboxStorage, type OutgoingMessage } from './outbox.js';
import { Socket, type ConnectionState, type WebSocketConstructor } from './socket.js';
import { ClientState } from './state.js';

/**
 * How a {@link HearthClient} reaches its server and behaves. Only `baseUrl` is required (and `WebSocket` in Node 20).
 * @example const options: HearthClientOptions = { baseUrl: 'https://chat.example.com', token: saved ?? undefined };
 */
export interface HearthClientOptions {
  /**
   * The server's base URL, e.g. `https://chat.example.com`. The WebSocket URL is derived from it (`http` becomes
   * `ws`, plus `/ws`).
   */
  baseUrl: string;
  /** A session token from an earlier sign-in, to resume without signing in again. */
  token?: string;
  /**
   * Where the session lives. `token` (default): the client holds it (`client.token`), for Node, native and other
   * apps. `cookie`: for a browser app served by the Hearth server itself; the server keeps the session in an
   * HttpOnly cookie that no script of the page can read, and `client.token` stays undefined.
   */
  session?: 'token' | 'cookie';
  /** The WebSocket class; defaults to the global one (browsers, Node 22+). In Node 20 pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** The fetch function; defaults to the global one. */
  fetch?: FetchLike;
  /** Keeps unsent messages across reloads. */
  outboxStorage?: OutboxStorage;
  /** Send delivered receipts for incoming messages automatically (default true). */
  autoDeliveredReceipts?: boolean;
  /** After this long without `reportActivity()`, the device reports itself idle (default 5 minutes; 0 disables). */
  idleAfterMs?: number;
  /** Reconnect backoff: first delay ceiling and maximum (defaults 500 ms and 30 s). */
  reconnectBaseDelayMs?: number;
  /** The longest wait between reconnect attempts, in milliseconds (default 30 s). */
  reconnectMaxDelayMs?: number;
}

/**
 * Events the client emits. Every server event is emitted under its own type after it has been applied, including
 * those replayed by a sync; events that changed nothing (duplicates, stale or unknown ones) are not, and
 * `session.revoked` never is: listen for `signedOut`.
 * @example client.on('typers', ({ conversationId, userIds }) => showTyping(conversationId, userIds));
 */
export type ClientEvents = { [K in ServerEventType]: EventOf<K> } & {
  /** The connection state changed. */
  connection: ConnectionState;
  /** A catch-up finished: the local state matches the server's as of `serverTime`. */
  synced: { serverTime: number };
  /** An outgoing message changed state (queued, sending, failed) or was acknowledged (`message` set). */
  outbox: { item: OutgoingMessage; message?: Message };
  /**
   * Who is typing in a conversation may have changed (a typing event, an expiry, a message from a typist, or the
   * connection going down): the current list.
   */
  typers: { conversationId: string; userIds: string[] };
  /** The cached messages of a conversation were dropped because the gap was too large; reload them. */
  refetch: { conversationId: string };
  /**
   * The session ended: `signed-out` by `auth.signOut()` here; `revoked` when this session was revoked from another
   * device or by a password change or reset; `unauthenticated` when the server refused the token or there was none.
   */
  signedOut: { reason: 'signed-out' | 'revoked' | 'unauthenticated' };
  /**
   * Something went wrong in the background: a protocol violation, a failed sync (retried), a failed reload of
   * history, or the server refusing a frame sent without waiting (a receipt, typing, presence).
   */
  error: HearthError;
  /** Anything in `state` changed: a cue for UIs to re-render. */
  change: void;
};

const DELIVERED_FLUSH_MS = 100;
const TYPING_IDLE_STOP_MS = 5_000;
const DEFAULT_LIMITS: Limits = { maxFrameBytes: 65_536, maxTextBytes: 16_384, maxPageSize: 100, typingTtlMs: 6_000 };

/**
 * The Hearth client SDK: signs in, keeps one WebSocket connected (reconnecting with jittered backoff), catches
 * up after every reconnect so its state matches the server's exactly, sends messages through an outbox that
 * survives disconnects without duplicates, and exposes a promise-returning method for every operation.
 *
 * @example
 * import WebSocket from 'ws';
 * const client = new HearthClient({ baseUrl: 'http://127.0.0.1:8080', WebSocket });
 * await client.auth.signIn('ana', 'correct horse');
 * await client.connect();
 * client.on('message.created', ({ message }) => console.log(message.content));
 * await client.messages.send(conversationId, 'hello');
 */
export class HearthClient extends Emitter<ClientEvents> {
  /** The local copy of everything seen; read it to render, and re-render on `change`. */
  readonly state = new ClientState();
  /** The REST transport, holding the session token. */
  readonly http: HttpTransport;
  /** The WebSocket connection, reconnecting by itself between `connect()` and `disconnect()`. */
  readonly socket: Socket;
  /** Unacknowledged outgoing messages; see `messages.pending()`. */
  readonly outbox: Outbox;
  /** Sign-up, sign-in, sign-out and sessions. */
  readonly auth: AuthApi;
  /** Profiles and the user directory. */
  readonly users: UsersApi;
  /** Conversations and their members. */
  readonly conversations: ConversationsApi;
  /** Sending, history, edits, reactions and read state. */
  readonly messages: MessagesApi;

  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private buffered: ServerEvent[] | undefined;
  private syncRetry: ReturnType<typeof setTimeout> | undefined;
  /** Receipt pointers waiting to be sent, by conversation: sent when connected, kept across disconnects. */
  private readonly receiptsDue = new Map<string, { deliveredSeq: number; readSeq: number }>();
  private deliveredTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly typingSent = new Map<string, { at: number; stopTimer: ReturnType<typeof setTimeout> }>();
  private readonly typingExpiry = new Map<string, ReturnType<typeof setTimeout>>();
  private idle = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private outboxRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly options: HearthClientOptions;
  private readonly detachNetworkEvents: () => void;

  /**
   * Creates a client without connecting: sign in (or pass `options.token`), then call `connect()`.
   * @example
   * const token = localStorage.getItem('hearth.token') ?? undefined;
   * const client = new HearthClient({ baseUrl: 'https://chat.example.com', token });
   * @throws TypeError when no `fetch` or no `WebSocket` is available and none was passed.
   */
  constructor(options: HearthClientOptions) {
    super();
    this.options = options;
    const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis));
    if (!fetchImpl) throw new TypeError('No fetch available: pass options.fetch');
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new TypeError('No WebSocket available: in Node 20 pass { WebSocket } from the ws package');
    this.http = new HttpTransport(options.baseUrl, fetchImpl, undefined, options.session === 'cookie');
    this.http.token = options.token;
    this.socket = new Socket({
      url: `${options.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`,
      WebSocket: WS,
      token: () => this.http.token,
      cookieSession: this.http.cookieSession,
      ...(options.reconnectBaseDelayMs !== undefined ? { baseDelayMs: options.reconnectBaseDelayMs } : {}),
      ...(options.reconnectMaxDelayMs !== undefined ? { maxDelayMs: options.reconnectMaxDelayMs } : {}),
    });
    this.outbox = new Outbox(options.outboxStorage);
    this.auth = new AuthApi(this);
    this.users = new UsersApi(this);
    this.conversations = new ConversationsApi(this);
    this.messages = new MessagesApi(this);

    this.socket.on('state', (state) => {
      if (state !== 'online') this.forgetTypers();
      this.emit('connection', state);
      this.changed();
    });
    this.socket.on('ready', (ready) => {
      this.state.me = ready.me;
      void this.sync().then(() => {
        this.flushOutbox();
        this.flushReceipts();
        if (this.idle) this.socket.send({ type: 'presence', state: 'idle' });
      });
    });
    this.socket.on('event', (event) => this.onEvent(event));
    this.socket.on('protocolError', (err) => this.emit('error', err));
    this.socket.on('unauthenticated', ({ code }) => this.endSession(code === 4003 ? 'revoked' : 'unauthenticated'));
    this.detachNetworkEvents = this.watchNetwork();
  }

  /**
   * The current session token (to store and pass as `options.token` next time), if signed in; undefined once the
   * session has ended.
   * @example if (client.token) localStorage.setItem('hearth.token', client.token);
   */
  get token(): string | undefined {
    return this.http.token;
  }

  /**
   * The state of the WebSocket connection; the `connection` event reports changes.
   * @example const showBanner = client.connectionState !== 'online';
   */
  get connectionState(): ConnectionState {
    return this.socket.state;
  }

  /**
   * The limits the server announced (defaults until connected, and while reconnecting).
   * @example const tooLong = new TextEncoder().encode(draft).length > client.limits.maxTextBytes;
   */
  get limits(): Limits {
    return this.socket.ready?.limits ?? DEFAULT_LIMITS;
  }

  /**
   * Opens the connection and resolves after the first catch-up. Keeps reconnecting by itself afterwards.
   * Rejects with NOT_SIGNED_IN without a token, or UNAUTHENTICATED when the server refuses it.
   * It does not reject while the server is unreachable or a sync fails: it waits, retrying, until a catch-up
   * succeeds. Called again while connected, it resolves after the next catch-up.
   * @example await client.connect();
   * @throws HearthError NOT_SIGNED_IN, UNAUTHENTICATED (also when the session is revoked before the first
   * catch-up); or whatever `outboxStorage.load()` throws
   */
  async connect(): Promise<void> {
    if (!this.http.hasSession) throw new HearthError('NOT_SIGNED_IN', 'Sign in before connecting.');
    await this.outbox.restore();
    const synced = new Promise<void>((resolve, reject) => {
      const offSynced = this.once('synced', () => {
        offOut();
        resolve();
      });
      const offOut = this.once('signedOut', () => {
        offSynced();
        reject(new HearthError('UNAUTHENTICATED', 'The server refused the session token.'));
      });
    });
    this.socket.start();
    this.resetIdleTimer();
    return synced;
  }

  /**
   * Closes the connection; the state stays as it is, and queued messages wait for the next `connect()`.
   * Never throws.
   * @example window.addEventListener('pagehide', () => client.disconnect());
   */
  disconnect(): void {
    this.socket.stop();
  }

  /**
   * Disconnects and releases every timer and listener; the client is unusable afterwards. Never throws.
   * @example afterEach(() => client.close());
   */
  close(): void {
    this.disconnect();
    clearTimeout(this.syncRetry);
    clearTimeout(this.deliveredTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.outboxRetry);
    for (const t of this.typingSent.values()) clearTimeout(t.stopTimer);
    for (const t of this.typingExpiry.values()) clearTimeout(t);
    this.detachNetworkEvents();
  }

  /**
   * Catches up with the server: replays what each held conversation missed, adds new ones, drops left ones.
   * Runs by itself after every (re)connect and whenever a gap is seen; concurrent calls share one run.
   * Live events that arrive meanwhile are held and applied after it. Never rejects: a failure is emitted as
   * `error` and retried after 2 s, except UNAUTHENTICATED, which ends the session (`signedOut`).
   * @example await client.sync();
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.runSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * Tells the server the person is using this device (call on input events). After `idleAfterMs` without a
   * call, the device reports itself idle; all devices idle shows the user as away. Cheap enough to call often:
   * a frame is sent only when the device was idle. Never throws.
   * @example document.addEventListener('keydown', () => client.reportActivity());
   */
  reportActivity(): void {
    if (this.idle) {
      this.idle = false;
      this.socket.send({ type: 'presence', state: 'active' });
    }
    this.resetIdleTimer();
  }

  /**
   * Reports this device idle (or active) explicitly, for example when the window loses focus. An idle device is
   * reported idle again after each reconnect. Never throws.
   * @example window.addEventListener('blur', () => client.setIdle(true));
   */
  setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.socket.send({ type: 'presence', state: idle ? 'idle' : 'active' });
    if (!idle) this.resetIdleTimer();
  }

  /**
   * Call on every keystroke in a conversation's composer: sends "typing" at most every third of the server's
   * time to live, and "stopped" after a few seconds without keystrokes. While offline nothing is sent.
   * Never throws.
   * @example textarea.addEventListener('input', () => client.typing(conversationId));
   */
  typing(conversationId: string): void {
    const now = Date.now();
    const sent = this.typingSent.get(conversationId);
    if (sent) clearTimeout(sent.stopTimer);
    const renew = !sent || now - sent.at >= this.limits.typingTtlMs / 3;
    if (renew) this.socket.send({ type: 'typing', conversationId, active: true });
    this.typingSent.set(conversationId, {
      at: renew ? now : sent.at,
      stopTimer: setTimeout(() => this.stopTyping(conversationId), TYPING_IDLE_STOP_MS),
    });
  }

  /**
   * Clears the typing indicator at once (after sending, or when the composer is emptied); does nothing if this
   * device was not typing there. Never throws.
   * @example client.stopTyping(conversationId);
   */
  stopTyping(conversationId: string): void {
    const sent = this.typingSent.get(conversationId);
    if (!sent) return;
    clearTimeout(sent.stopTimer);
    this.typingSent.delete(conversationId);
    this.socket.send({ type: 'typing', conversationId, active: false });
  }

  /**
   * Who is typing in a conversation now (other people only), as user ids. Never throws.
   * @example const names = client.typers(conversationId).map((id) => client.users.cached(id)?.displayName);
   */
  typers(conversationId: string): string[] {
    return this.state.typers(conversationId, Date.now());
  }

  // ---- internals shared with the API namespaces ----

  /**
   * @internal Sends a frame over the socket when connected, else calls `fallback` (usually the REST twin), also
   * when the socket drops before answering (the operations routed here are idempotent: repeating one is harmless).
   * With `schema`, the socket's result is validated like REST responses are.
   * @throws HearthError from the socket (the server's code, TIMEOUT) or from `fallback`
   */
  async viaSocketOr<T>(frame: ClientFrame, fallback: () => Promise<T>, schema?: z.ZodType<T>): Promise<T> {
    if (this.socket.isReady) {
      try {
        const data = await this.socket.request<T>(frame);
        if (!schema) return data;
        const parsed = schema.safeParse(data);
        if (parsed.success) return parsed.data;
        throw new HearthError('PROTOCOL_ERROR', `Unexpected result of ${frame.type}: ${parsed.error.issues[0]?.message}`);
      } catch (err) {
        if (!(err instanceof HearthError) || err.code !== 'DISCONNECTED') throw err;
      }
    }
    return fallback();
  }

  /**
   * @internal Queues a message and starts sending it if connected.
   * @throws HearthError (as a rejection) as `Outbox.wait`; never synchronously
   */
  enqueue(item: OutgoingMessage): Promise<Message> {
    const done = this.outbox.add(item);
    this.emit('outbox', { item });
    this.changed();
    if (this.socket.isReady) void this.transmit(item);
    return done;
  }

  /**
   * @internal Puts a failed message back in line.
   * @throws HearthError (as a rejection) MESSAGE_NOT_FOUND for an unknown clientId, else as `Outbox.wait`
   */
  requeue(clientId: string): Promise<Message> {
    const item = this.outbox.get(clientId);
    if (!item) return Promise.reject(new HearthError('MESSAGE_NOT_FOUND', 'No such outgoing message.'));
    const done = this.outbox.wait(clientId);
    this.outbox.setState(clientId, 'pending');
    this.emit('outbox', { item });
    this.flushOutbox();
    return done;
  }

  /**
   * @internal Records a conversation the REST API returned, unless the event stream already brought a newer one.
   * Never throws.
   */
  adoptConversation(conversation: Conversation): void {
    const held = this.state.conversations.get(conversation.id);
    if (held && held.pts >= conversation.pts) return;
    this.state.conversations.set(conversation.id, { ...conversation });
    this.changed();
  }

  /**
   * @internal Marks read locally and tells the server if connected (coalesced with delivery). Does nothing for an
   * unknown conversation or a `seq` at or below the read pointer. Never throws.
   */
  markRead(conversationId: string, seq: number): void {
    const c = this.state.conversations.get(conversationId);
    if (!c || seq <= c.me.readSeq) return;
    c.me.readSeq = seq;
    // The server takes a read as delivery only from those who share read receipts; for the others the delivered
    // receipt still has to go out (in the same frame), or the sender would never see the message delivered.
    if (this.state.me?.readReceipts !== false) c.me.deliveredSeq = Math.max(c.me.deliveredSeq, seq);
    if (seq >= (c.lastMessage?.seq ?? 0)) {
      c.me.unreadCount = 0;
      c.me.unreadMentionCount = 0;
    }
    this.changed();
    this.queueReceipt(conversationId, { readSeq: seq });
    this.flushReceipts();
  }

  /** @internal Emits `change`. Never throws. */
  changed(): void {
    this.emit('change', undefined);
  }

  /** @internal Stops the socket, forgets the token and emits `signedOut`; the state is kept. Never throws. */
  endSession(reason: 'signed-out' | 'revoked' | 'unauthenticated'): void {
    this.socket.stop();
    this.http.token = undefined;
    this.emit('signedOut', { reason });
    this.changed();
  }

  private async runSync(): Promise<void> {
    clearTimeout(this.syncRetry);
    do {
      this.syncAgain = false;
      this.buffered ??= [];
      try {
        const response = await this.http.call('sync', {
          body: {
            conversations: [...this.state.conversations.values()].map((c) => ({ id: c.id, pts: c.pts })),
            ...(this.state.since !== undefined ? { since: this.state.since } : {}),
          },
        });
        for (const id of response.removed) this.state.removeConversation(id);
        const refetched: string[] = [];
        const replayed: ConversationEvent[] = [];
        for (const entry of response.conversations) {
          const hadWindow = this.state.windows.has(entry.conversation.id);
          const outcome = this.state.applySync(entry);
          if (outcome.refetched && hadWindow) refetched.push(entry.conversation.id);
          replayed.push(...outcome.applied);
          this.noteDelivered(entry.conversation);
        }
        for (const receipt of response.receipts) this.state.applyReceipt(receipt);
        for (const p of response.presence) this.state.presence.set(p.userId, p);
        for (const u of response.users) this.state.users.set(u.id, u);
        this.state.since = response.serverTime;
        // Listeners hear about missed events exactly as if they had arrived live.
        for (const event of replayed) this.announce(event);
        for (const conversationId of refetched) {
          this.emit('refetch', { conversationId });
          void this.messages.loadLatest(conversationId).catch((err: unknown) => this.emit('error', err as HearthError));
        }
        this.emit('synced', { serverTime: response.serverTime });
      } catch (err) {
        this.emit('error', err instanceof HearthError ? err : new HearthError('PROTOCOL_ERROR', String(err)));
        if (err instanceof HearthError && err.code === 'UNAUTHENTICATED') return this.endSession('unauthenticated');
        // Try again shortly; live events keep being buffered meanwhile only if a connection exists.
        this.syncRetry = setTimeout(() => void this.sync(), 2000);
      } finally {
        const pending = this.buffered ?? [];
        this.buffered = undefined;
        for (const event of pending) this.onEvent(event);
        this.changed();
      }
    } while (this.syncAgain);
  }

  private onEvent(event: ServerEvent): void {
    if (this.buffered) {
      this.buffered.push(event);
      return;
    }
    if ('pts' in event) {
      const outcome = this.state.applyConversationEvent(event);
      if (outcome === 'gap' || outcome === 'unknown-conversation') {
        // Hold it and catch up; once the gap is filled, this event is applied in its place (or is a duplicate).
        this.buffered = [event];
        void this.sync();
        return;
      }
      if (outcome === 'duplicate') return;
      return this.announce(event);
    }
    if (!this.state.applyOtherEvent(event, Date.now())) return;
    if (event.type === 'typing') this.onTyping(event.conversationId);
    this.emit(event.type, event);
    this.changed();
  }

  /** After a conversation event was applied: its side effects, then listeners. */
  private announce(event: ConversationEvent): void {
    if (event.type === 'message.created') this.onMessageCreated(event.message);
    this.emit(event.type, event);
    this.changed();
  }

  private onMessageCreated(message: Message): void {
    if (message.senderId === this.state.me?.id) {
      // Our own message, seen before its acknowledgement (or sent from another device): it has left the outbox.
      const item = this.outbox.get(message.clientId);
      if (item && item.conversationId === message.conversationId && this.outbox.complete(message.clientId, message)) {
        this.emit('outbox', { item, message });
      }
      return;
    }
    this.onTyping(message.conversationId);
    if (this.options.autoDeliveredReceipts === false) return;
    this.queueReceipt(message.conversationId, { deliveredSeq: message.seq });
    this.deliveredTimer ??= setTimeout(() => this.flushReceipts(), DELIVERED_FLUSH_MS);
  }

  private noteDelivered(conversation: Conversation): void {
    const last = conversation.lastMessage;
    if (this.options.autoDeliveredReceipts === false || !last || last.senderId === this.state.me?.id) return;
    if (last.seq > conversation.me.deliveredSeq) this.queueReceipt(conversation.id, { deliveredSeq: last.seq });
  }

  private queueReceipt(conversationId: string, pointers: { deliveredSeq?: number; readSeq?: number }): void {
    const due = this.receiptsDue.get(conversationId) ?? { deliveredSeq: 0, readSeq: 0 };
    due.deliveredSeq = Math.max(due.deliveredSeq, pointers.deliveredSeq ?? 0);
    due.readSeq = Math.max(due.readSeq, pointers.readSeq ?? 0);
    this.receiptsDue.set(conversationId, due);
  }

  /**
   * Sends the receipts due, one frame per conversation. Without a connection they wait (a read marked offline
   * still reaches the server, and the user's other devices, once back).
   */
  private flushReceipts(): void {
    clearTimeout(this.deliveredTimer);
    this.deliveredTimer = undefined;
    if (!this.socket.isReady) return;
    for (const [conversationId, due] of this.receiptsDue) {
      const c = this.state.conversations.get(conversationId);
      // Delivery already known to the server (or implied by the read) needs no frame of its own.
      const deliveredSeq = c && due.deliveredSeq > c.me.deliveredSeq ? due.deliveredSeq : 0;
      if (c && deliveredSeq > 0) c.me.deliveredSeq = deliveredSeq;
      if (deliveredSeq === 0 && due.readSeq === 0) continue;
      const sent = this.socket.send({
        type: 'receipt',
        conversationId,
        ...(deliveredSeq > 0 ? { deliveredSeq } : {}),
        ...(due.readSeq > 0 ? { readSeq: due.readSeq } : {}),
      });
      if (!sent) return;
    }
    this.receiptsDue.clear();
  }

  private flushOutbox(): void {
    clearTimeout(this.outboxRetry);
    if (!this.socket.isReady) return;
    for (const item of this.outbox.due()) void this.transmit(item);
  }

  private async transmit(item: OutgoingMessage): Promise<void> {
    if (item.state !== 'pending') return;
    this.outbox.setState(item.clientId, 'sending');
    this.emit('outbox', { item });
    const frame: ClientFrame = item.forwardFrom
      ? { type: 'message.forward', conversationId: item.conversationId, clientId: item.clientId, from: item.forwardFrom }
      : {
          type: 'message.send',
          conversationId: item.conversationId,
          clientId: item.clientId,
          content: item.content!,
          ...(item.replyToId ? { replyToId: item.replyToId } : {}),
        };
    try {
      const message = Message.parse(await this.socket.request(frame));
      if (this.outbox.complete(item.clientId, message)) this.emit('outbox', { item, message });
    } catch (err) {
      const e = err instanceof HearthError ? err : new HearthError('PROTOCOL_ERROR', String(err));
      if (!this.outbox.get(item.clientId)) return;
      if (e.isTransient) {
        this.outbox.setState(item.clientId, 'pending', e);
        // Disconnects are retried on reconnect; a refusal for load after the wait it asks for.
        if (e.code !== 'DISCONNECTED') {
          const wait = typeof e.details.retryAfterMs === 'number' ? e.details.retryAfterMs : 1000 * Math.min(30, 2 ** item.attempts);
          clearTimeout(this.outboxRetry);
          this.outboxRetry = setTimeout(() => this.flushOutbox(), wait);
        }
      } else {
        this.outbox.setState(item.clientId, 'failed', e);
      }
      this.emit('outbox', { item });
    }
    this.changed();
  }

  private onTyping(conversationId: string): void {
    const now = Date.now();
    const userIds = this.state.typers(conversationId, now);
    this.emit('typers', { conversationId, userIds });
    clearTimeout(this.typingExpiry.get(conversationId));
    const next = Math.min(...[...(this.state.typing.get(conversationId)?.values() ?? [])]);
    if (Number.isFinite(next)) this.typingExpiry.set(conversationId, setTimeout(() => this.onTyping(conversationId), next - now + 5));
    else this.typingExpiry.delete(conversationId);
  }

  private forgetTypers(): void {
    for (const conversationId of [...this.state.typing.keys()]) {
      this.state.typing.delete(conversationId);
      this.onTyping(conversationId);
    }
  }

  private resetIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const after = this.options.idleAfterMs ?? 300_000;
    if (after > 0) this.idleTimer = setTimeout(() => this.setIdle(true), after);
  }

  /** In browsers: reconnect as soon as the network returns, and drop a socket the moment it goes away. */
  private watchNetwork(): () => void {
    const target = globalThis as { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };
    if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
    const online = () => this.socket.reconnectNow();
    const offline = () => this.socket.drop();
    target.addEventListener('online', online);
    target.addEventListener('offline', offline);
    return () => {
      target.removeEventListener!('online', online);
      target.removeEventListener!('offline', offline);
    };
  }
}
