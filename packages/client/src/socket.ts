import {
  CloseCode,
  ErrorFrame,
  ReadyFrame,
  ResultFrame,
  ServerEvent,
  type ClientFrame,
  type ServerEvent as ServerEventType,
} from '@hearth/protocol';
import type { z } from 'zod';
import { Emitter } from './emitter.js';
import { HearthError } from './errors.js';

/**
 * The part of the WebSocket API the SDK uses: the browser's class, or the `ws` package's in Node.
 * @example const ws: WebSocketLike = new WebSocket('wss://chat.example.com/ws');
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
/**
 * A WebSocket class the SDK can instantiate with a URL.
 * @example import WebSocket from 'ws'; const WS: WebSocketConstructor = WebSocket;
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * `offline`: not trying (never started, stopped, or the session is gone). `connecting`: the first attempt.
 * `online`: authenticated (`ready` received); requests can be sent. `reconnecting`: the connection was lost or is
 * being replaced, and a new one is being opened or waited for.
 * @example const banner = client.connectionState === 'reconnecting' ? 'Reconnecting…' : '';
 */
export type ConnectionState = 'offline' | 'connecting' | 'online' | 'reconnecting';

/**
 * What a {@link Socket} emits.
 * @example socket.on('closed', ({ code, willReconnect }) => log(code, willReconnect));
 */
export interface SocketEvents extends Record<string, unknown> {
  /** The connection state changed (emitted only on a change). */
  state: ConnectionState;
  /** The server accepted the token: the socket is online. Emitted after every (re)connect. */
  ready: ReadyFrame;
  /** A validated server event. Events that fail validation are reported as `protocolError` instead. */
  event: ServerEventType;
  /**
   * The server or the network closed the socket (not emitted when `stop()`, `drop()` or `reconnectNow()` closes
   * it); `willReconnect` is false when the session is gone.
   */
  closed: { code: number; reason: string; willReconnect: boolean };
  /** The token was refused, the session revoked, or there was no token to send: sign in again. */
  unauthenticated: { code: number };
  /** A frame that does not match the protocol; the server or the network is misbehaving. */
  protocolError: HearthError;
}

/**
 * How a {@link Socket} connects. Durations are in milliseconds.
 * @example const options: SocketOptions = { url: 'wss://chat.example.com/ws', WebSocket, token: () => client.token };
 */
export interface SocketOptions {
  /** The server's WebSocket endpoint (`/ws`). */
  url: string;
  WebSocket: WebSocketConstructor;
  /**
   * Read at every (re)connect, so a new sign-in is picked up; undefined stops the socket as unauthenticated, unless
   * `cookieSession`.
   */
  token: () => string | undefined;
  /**
   * The browser sends the session cookie with the upgrade (an app on the server's own origin): `auth` goes without a
   * token. Default false.
   */
  cookieSession?: boolean;
  /**
   * Reconnect delays: full jitter between 0 and min(maxDelayMs, baseDelayMs · 2^attempt), plus 100 ms.
   * Default 500.
   */
  baseDelayMs?: number;
  /** The ceiling of the reconnect delay (default 30 000). */
  maxDelayMs?: number;
  /** How long `request` waits for an answer before rejecting with TIMEOUT (default 15 000). */
  requestTimeoutMs?: number;
  /** How long a `ping` may go unanswered before the connection is considered dead (default 10 000). */
  pingTimeoutMs?: number;
}

const OPEN = 1;
const EVENT_SCHEMAS = new Map<string, z.ZodType>(ServerEvent.options.map((s) => [s.shape.type.value, s]));

interface Pending {
  resolve(data: unknown): void;
  reject(err: HearthError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Full-jitter exponential backoff: spreads reconnecting clients out after a server restart. Returns a whole number
 * of milliseconds in `[0, min(maxMs, baseMs · 2^attempt))`. Never throws.
 * @example const delay = backoffDelay(3, 500, 30_000); // 0 to 3999
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/**
 * One authenticated WebSocket that reconnects by itself: jittered backoff, heartbeats, request/answer matching
 * by `rid`, and validation of everything the server sends. `HearthClient` owns one as `client.socket`.
 * @example
 * const socket = new Socket({ url: 'ws://127.0.0.1:8080/ws', WebSocket, token: () => token });
 * socket.on('event', (event) => console.log(event.type));
 * socket.start();
 */
export class Socket extends Emitter<SocketEvents> {
  /**
   * The current connection state; listen for `state` to follow changes.
   * @example if (socket.state === 'offline') socket.start();
   */
  state: ConnectionState = 'offline';
  /**
   * The `ready` frame of the current connection (me, limits, heartbeat), or undefined while not connected.
   * @example const limits = socket.ready?.limits ?? DEFAULT_LIMITS;
   */
  ready: ReadyFrame | undefined;
  private ws: WebSocketLike | undefined;
  private running = false;
  private attempt = 0;
  private nextRid = 0;
  private readonly pending = new Map<string, Pending>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private readonly opts: Required<SocketOptions>;

  /**
   * Creates the socket without connecting; call `start()`. Never throws.
   * @example new Socket({ url, WebSocket, token: () => http.token, requestTimeoutMs: 5_000 })
   */
  constructor(options: SocketOptions) {
    super();
    this.opts = { baseDelayMs: 500, maxDelayMs: 30_000, requestTimeoutMs: 15_000, pingTimeoutMs: 10_000, cookieSession: false, ...options };
  }

  /**
   * Whether requests can be sent now: online and the underlying socket open.
   * @example if (socket.isReady) socket.send({ type: 'typing', conversationId, active: true });
   */
  get isReady(): boolean {
    return this.state === 'online' && this.ws?.readyState === OPEN;
  }

  /**
   * Starts connecting, and keeps reconnecting until `stop()` or until the session is gone (`unauthenticated`).
   * Does nothing if already started. Never throws.
   * @example socket.start();
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.open();
  }

  /**
   * Closes the socket for good (code 1000) and stops reconnecting; requests awaiting an answer reject with
   * DISCONNECTED. `start()` connects again. Never throws.
   * @example socket.stop();
   */
  stop(): void {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.teardown(1000, 'client closed');
    this.setState('offline');
  }

  /**
   * Drops the current socket and reconnects at once (network back, or the page woke up); pending requests reject
   * with DISCONNECTED. Does nothing unless started. Never throws.
   * @example window.addEventListener('online', () => socket.reconnectNow());
   */
  reconnectNow(): void {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.teardown(4000, 'reconnecting');
    this.open();
  }

  /**
   * Treats the connection as lost (the network went away) and reconnects with backoff; pending requests reject
   * with DISCONNECTED. Does nothing unless started and connected or connecting. Never throws.
   * @example window.addEventListener('offline', () => socket.drop());
   */
  drop(): void {
    if (!this.running || !this.ws) return;
    this.teardown(4000, 'network lost');
    this.scheduleReconnect();
  }

  /**
   * Sends a frame and resolves with the server's `result` data; rejects with the server's error, or with
   * DISCONNECTED / TIMEOUT. `T` is not checked: the data is only known to be JSON, so parse it with the schema that
   * matches the frame. Only `auth` may be sent before the socket is online.
   * @example
   * const tombstone = Message.parse(await socket.request({ type: 'message.delete', conversationId, messageId }));
   * @throws HearthError (as a rejection): the server's code for an `error` answer; DISCONNECTED when not connected
   * or when the socket closes first (the request may have taken effect); TIMEOUT after `timeoutMs` (it may still
   * take effect; a late answer is ignored).
   */
  request<T = unknown>(frame: ClientFrame, timeoutMs = this.opts.requestTimeoutMs): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || (frame.type !== 'auth' && this.state !== 'online')) {
      return Promise.reject(new HearthError('DISCONNECTED', 'Not connected.'));
    }
    const rid = `${++this.nextRid}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new HearthError('TIMEOUT', `No answer to ${frame.type} in time.`));
      }, timeoutMs);
      this.pending.set(rid, { resolve: resolve, reject, timer });
      ws.send(JSON.stringify({ ...frame, rid }));
    });
  }

  /**
   * Sends a frame without waiting for an answer; false when not connected (nothing is queued). A server error
   * about it arrives without `rid`, as a `protocolError` event. Never throws.
   * @example socket.send({ type: 'receipt', conversationId, readSeq: 42 });
   */
  send(frame: ClientFrame): boolean {
    if (!this.isReady) return false;
    this.ws!.send(JSON.stringify(frame));
    return true;
  }

  private open(): void {
    const token = this.opts.token();
    if (!token && !this.opts.cookieSession) {
      this.running = false;
      this.setState('offline');
      this.emit('unauthenticated', { code: CloseCode.UNAUTHENTICATED });
      return;
    }
    this.setState(this.attempt === 0 && this.state === 'offline' ? 'connecting' : 'reconnecting');
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(this.opts.url);
    } catch {
      return this.scheduleReconnect();
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastFrameAt = Date.now();
      this.request<unknown>({ type: 'auth', ...(token ? { token } : {}) }).catch(() => undefined);
    };
    ws.onmessage = (ev) => this.onMessage(ws, ev.data);
    ws.onerror = () => undefined;
    ws.onclose = (ev) => this.onClose(ws, ev.code, ev.reason);
  }

  private onMessage(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws) return;
    this.lastFrameAt = Date.now();
    let frame: { type?: unknown; rid?: unknown };
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as typeof frame;
    } catch {
      return this.emit('protocolError', new HearthError('PROTOCOL_ERROR', 'The server sent a frame that is not JSON.'));
    }
    switch (frame.type) {
      case 'ready': {
        const ready = this.validate(ReadyFrame, frame);
        if (!ready) return;
        this.settle(ready.rid, ready);
        this.ready = ready;
        this.attempt = 0;
        this.setState('online');
        this.startHeartbeat(ready.heartbeatMs);
        return this.emit('ready', ready);
      }
      case 'result': {
        const result = this.validate(ResultFrame, frame);
        if (result) this.settle(result.rid, result.data);
        return;
      }
      case 'error': {
        const error = this.validate(ErrorFrame, frame);
        if (!error) return;
        const err = HearthError.fromBody(error);
        if (error.rid !== undefined && this.pending.has(error.rid)) return this.settle(error.rid, err);
        return this.emit('protocolError', err);
      }
      default: {
        const schema = typeof frame.type === 'string' ? EVENT_SCHEMAS.get(frame.type) : undefined;
        if (!schema) return this.emit('protocolError', new HearthError('PROTOCOL_ERROR', `Unknown event type ${String(frame.type)}.`));
        const event = this.validate(schema, frame) as ServerEventType | undefined;
        if (event) this.emit('event', event);
      }
    }
  }

  private validate<S extends z.ZodType>(schema: S, frame: unknown): z.infer<S> | undefined {
    const parsed = schema.safeParse(frame);
    if (parsed.success) return parsed.data;
    this.emit(
      'protocolError',
      new HearthError('PROTOCOL_ERROR', `Invalid ${(frame as { type?: string }).type} frame: ${parsed.error.issues[0]?.message}`, {
        issues: parsed.error.issues.slice(0, 5),
      }),
    );
    return undefined;
  }

  private settle(rid: string | undefined, outcome: unknown): void {
    if (rid === undefined) return;
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    clearTimeout(p.timer);
    if (outcome instanceof HearthError) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.teardown(code, reason);
    const revoked = code === CloseCode.UNAUTHENTICATED || code === CloseCode.SESSION_REVOKED;
    if (revoked) {
      this.running = false;
      this.setState('offline');
      this.emit('closed', { code, reason, willReconnect: false });
      this.emit('unauthenticated', { code });
      return;
    }
    this.emit('closed', { code, reason, willReconnect: this.running });
    if (this.running) this.scheduleReconnect();
    else this.setState('offline');
  }

  /** Forgets the current socket: pending requests fail with DISCONNECTED (their effect is unknown). */
  private teardown(code: number, reason: string): void {
    clearInterval(this.heartbeatTimer);
    const ws = this.ws;
    this.ws = undefined;
    this.ready = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
    }
    for (const [rid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new HearthError('DISCONNECTED', 'The connection closed before the server answered.'));
      this.pending.delete(rid);
    }
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    // Never zero: a server that accepts and drops at once must not be hammered in a tight loop.
    const delay = 100 + backoffDelay(this.attempt++, this.opts.baseDelayMs, this.opts.maxDelayMs);
    this.reconnectTimer = setTimeout(() => this.running && this.open(), delay);
  }

  /**
   * While nothing else is heard, sends `ping` every half heartbeat; a ping without answer means the connection
   * is dead (a sleeping laptop, a lost network) even if the socket has not noticed yet.
   */
  private startHeartbeat(heartbeatMs: number): void {
    clearInterval(this.heartbeatTimer);
    const every = Math.max(1000, Math.floor(heartbeatMs / 2));
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt < every) return;
      this.request({ type: 'ping' }, this.opts.pingTimeoutMs).catch((err: HearthError) => {
        if (err.code === 'TIMEOUT') this.drop();
      });
    }, every);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }
}
