import type { z } from 'zod';
import type { ClientFrame, Conversation, Limits, ReadyFrame } from '@hearth/protocol';
import { ActivityReporter } from './activity.js';
import { AuthApi } from './api/auth.js';
import type { ClientContext } from './api/context.js';
import { ConversationsApi } from './api/conversations.js';
import { FilesApi } from './api/files.js';
import { MessagesApi } from './api/messages.js';
import { UsersApi } from './api/users.js';
import type { Announce, ClientEvents } from './client-events.js';
import { Emitter } from './emitter.js';
import { HearthError } from './errors.js';
import { EventApplier } from './event-applier.js';
import { HttpTransport, type FetchLike } from './http.js';
import { watchNetwork } from './network.js';
import { Outbox, type OutboxStorage } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import { ReceiptsCoordinator } from './receipts.js';
import { Socket, type ConnectionState, type WebSocketConstructor } from './socket.js';
import { ClientState } from './state.js';
import { SyncEngine } from './sync-engine.js';
import { TypingIndicators } from './typing.js';

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
export class HearthClient extends Emitter<ClientEvents> implements ClientContext {
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
  /** Uploads, file URLs and signed links, a conversation's files. */
  readonly files: FilesApi;

  private readonly sender: OutboxSender;
  private readonly receipts: ReceiptsCoordinator;
  private readonly typingIndicators: TypingIndicators;
  private readonly syncEngine: SyncEngine;
  private readonly activity: ActivityReporter;
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

    const announce: Announce = (type, payload) => this.emit(type, payload);
    const changed = () => this.changed();
    this.sender = new OutboxSender(this.outbox, this.socket, announce, changed, () => this.state.me?.id ?? '');
    this.receipts = new ReceiptsCoordinator(this.state, this.socket, options.autoDeliveredReceipts !== false, changed);
    this.typingIndicators = new TypingIndicators(this.state, this.socket, () => this.limits.typingTtlMs, announce);
    const applier = new EventApplier(this.state, { sender: this.sender, receipts: this.receipts, typing: this.typingIndicators }, announce);
    this.syncEngine = new SyncEngine({
      http: this.http,
      state: this.state,
      applier,
      announce,
      reload: (conversationId) => this.messages.loadLatest(conversationId),
      endSession: () => this.endSession('unauthenticated'),
      isConnectionWanted: () => this.socket.state !== 'offline',
    });
    this.activity = new ActivityReporter(this.socket, options.idleAfterMs ?? 300_000);

    this.auth = new AuthApi(this);
    this.users = new UsersApi(this);
    this.conversations = new ConversationsApi(this);
    this.messages = new MessagesApi(this, this.sender, this.receipts);
    this.files = new FilesApi(this);

    this.socket.on('state', (state) => {
      if (state !== 'online') this.typingIndicators.forgetAll();
      this.emit('connection', state);
      this.changed();
    });
    this.socket.on('ready', (ready) => this.resume(ready));
    this.socket.on('event', (event) => this.syncEngine.receive(event));
    this.socket.on('protocolError', (err) => this.emit('error', err));
    this.socket.on('unauthenticated', ({ code }) => this.endSession(code === 4003 ? 'revoked' : 'unauthenticated'));
    this.detachNetworkEvents = watchNetwork(this.socket);
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
    this.activity.restartTimer();
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
    this.syncEngine.close();
    this.receipts.close();
    this.activity.close();
    this.sender.close();
    this.typingIndicators.close();
    this.detachNetworkEvents();
  }

  /**
   * Catches up with the server: replays what each held conversation missed, adds new ones, drops left ones.
   * Runs by itself after every (re)connect and whenever a gap is seen; concurrent calls share one run.
   * Live events that arrive meanwhile are held and applied after it. Never rejects: a failure is emitted as
   * `error` and retried after 2 s while connected or reconnecting (after `disconnect()` the next `connect()`
   * catches up instead), except UNAUTHENTICATED, which ends the session (`signedOut`).
   * @example await client.sync();
   */
  sync(): Promise<void> {
    return this.syncEngine.sync();
  }

  /**
   * Tells the server the person is using this device (call on input events). After `idleAfterMs` without a
   * call, the device reports itself idle; all devices idle shows the user as away. Cheap enough to call often:
   * a frame is sent only when the device was idle. Never throws.
   * @example document.addEventListener('keydown', () => client.reportActivity());
   */
  reportActivity(): void {
    this.activity.reportActivity();
  }

  /**
   * Reports this device idle (or active) explicitly, for example when the window loses focus. An idle device is
   * reported idle again after each reconnect. Never throws.
   * @example window.addEventListener('blur', () => client.setIdle(true));
   */
  setIdle(idle: boolean): void {
    this.activity.setIdle(idle);
  }

  /**
   * Call on every keystroke in a conversation's composer: sends "typing" at most every third of the server's
   * time to live, and "stopped" after a few seconds without keystrokes. While offline nothing is sent.
   * Never throws.
   * @example textarea.addEventListener('input', () => client.typing(conversationId));
   */
  typing(conversationId: string): void {
    this.typingIndicators.typing(conversationId);
  }

  /**
   * Clears the typing indicator at once (after sending, or when the composer is emptied); does nothing if this
   * device was not typing there. Never throws.
   * @example client.stopTyping(conversationId);
   */
  stopTyping(conversationId: string): void {
    this.typingIndicators.stop(conversationId);
  }

  /**
   * Who is typing in a conversation now (other people only), as user ids. Never throws.
   * @example const names = client.typers(conversationId).map((id) => client.users.cached(id)?.displayName);
   */
  typers(conversationId: string): string[] {
    return this.typingIndicators.typers(conversationId);
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
   * @internal Records a conversation the REST API returned, unless the event stream already brought a newer one.
   * Never throws.
   */
  adoptConversation(conversation: Conversation): void {
    const held = this.state.conversations.get(conversation.id);
    if (held && held.pts >= conversation.pts) return;
    this.state.conversations.set(conversation.id, { ...conversation });
    this.changed();
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

  /** After every (re)connect: catch up, then send what waited for the connection. */
  private resume(ready: ReadyFrame): void {
    this.state.me = ready.me;
    void this.syncEngine.sync().then(() => {
      this.sender.flush();
      this.receipts.flush();
      this.activity.resend();
    });
  }
}
