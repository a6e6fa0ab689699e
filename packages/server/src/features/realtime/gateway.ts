import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ClientFrame,
  CloseCode,
  type ClientFrameType,
  type ErrorFrame,
  type Limits,
  type Presence,
  type ReadyFrame,
  type ServerEvent,
} from '@hearth/protocol';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { z } from 'zod';
import { topics, type Bus, type BusMessage } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import { HearthError } from '../../platform/errors.js';
import type { FrameRouter, WsHandler } from '../../platform/frames.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { RateLimiter } from '../../platform/rate-limit.js';
import { sessionCookieOf } from '../../platform/session-cookie.js';
import { describeIssues } from '../../platform/validate.js';
import type { AuthService } from '../auth/auth.service.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import { toMe } from '../users/users.views.js';
import { Connection } from './connection.js';
import { Contacts } from './contacts.js';
import { FrameBudget, type FrameVerdict } from './frame-budget.js';
import { Subscriptions, type CatchUp } from './subscriptions.js';

export interface GatewayOptions {
  limits: Limits & { sendBufferBytes: number; framesPerSecond: number; frameBurst: number; framesBeforeAuth: number };
  heartbeatMs: number;
  authTimeoutMs: number;
}

/**
 * Presence as the gateway uses it: told of every device that comes and goes, asked where new contacts stand. How
 * presence is kept (in this process, or shared between nodes) is not the gateway's business.
 */
export interface PresenceTracker {
  connect(userId: string, connectionId: string): void;
  disconnect(userId: string, connectionId: string): void;
  snapshot(userIds: readonly string[]): Promise<Presence[]>;
}

export interface GatewayDeps {
  bus: Bus;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  auth: AuthService;
  /** Memberships: the conversations a socket follows, and their members (who sees whose presence). */
  conversations: ConversationsService;
  presence: PresenceTracker;
  /** Told of every socket that closes: whatever it was typing stops. */
  typing: { connectionClosed(connectionId: string): void };
  /**
   * Budgets by frame type; frames without one are not limited here. In memory and synchronous on purpose: a
   * socket's frames reach their handlers in the order they arrived, which an awaited (Redis) answer per frame
   * would not keep (see "State shared between nodes" in ARCHITECTURE.md).
   */
  limiters: Partial<Record<ClientFrameType, RateLimiter>>;
  /** What a node that may have missed events (a lossy bus reported a gap) reads to bring its sockets up to date. */
  catchUp: CatchUp;
}

const FRAME_SCHEMAS = new Map<string, z.ZodType>(ClientFrame.options.map((schema) => [schema.shape.type.value, schema]));

/**
 * The WebSocket endpoint: authenticates sockets, decodes and validates frames, dispatches them to the feature
 * handlers, and fans bus events out to the sockets allowed to see them. Each node subscribes to a bus topic
 * once, however many of its sockets want it, and writes each event's one serialisation to all of them.
 */
export class Gateway implements FrameRouter {
  private readonly wss: WebSocketServer;
  private readonly handlers = new Map<ClientFrameType, WsHandler<ClientFrameType>>();
  private readonly subscriptions: Subscriptions;
  private readonly all = new Set<Connection>();
  private readonly contacts: Contacts;
  private readonly heartbeat: NodeJS.Timeout;
  private unsubscribePresence: (() => void) | undefined;
  private readonly stopGaps: () => void;
  private accepting = true;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly options: GatewayOptions,
  ) {
    // The hard cap only protects the process; frames between maxFrameBytes and it get a FRAME_TOO_LARGE reply.
    const hardCap = Math.max(1_048_576, options.limits.maxFrameBytes * 4);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: hardCap, perMessageDeflate: false, clientTracking: false });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.accept(ws, req));
    this.contacts = new Contacts({
      log: deps.log,
      loadMembers: (ids) => deps.conversations.memberIdsOf(ids),
      presenceOf: (ids) => deps.presence.snapshot(ids),
      // Presence is never sent before `ready` (PROTOCOL.md §4.1): the client's sync after it returns all of it.
      write: (conn, raw) => conn.ready && this.write(conn, raw),
    });
    this.subscriptions = new Subscriptions({
      bus: deps.bus,
      catchUp: deps.catchUp,
      log: deps.log,
      fanOut: (connections, msg) => this.fanOut(connections, msg),
    });
    this.stopGaps = deps.bus.onGap((list) => this.onGap(list));
    this.heartbeat = setInterval(() => this.checkHeartbeats(), options.heartbeatMs);
    this.heartbeat.unref();
    this.on('ping', () => ({ serverTime: deps.clock.now() }));
  }

  /** Subscribes to presence changes; resolves once the subscription is live. */
  async start(): Promise<void> {
    this.unsubscribePresence = await this.deps.bus.subscribe(topics.presence, (msg) => this.contacts.deliver(msg));
  }

  on<T extends ClientFrameType>(type: T, handler: WsHandler<T>): void {
    this.handlers.set(type, handler as unknown as WsHandler<ClientFrameType>);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.accepting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  get connectionCount(): number {
    return this.all.size;
  }

  /** Stops accepting sockets and closes every open one with GOING_AWAY, so clients resume elsewhere. */
  async close(): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    this.unsubscribePresence?.();
    this.stopGaps();
    // Frames that reached the sockets before shutdown are read and answered (SERVER_SHUTTING_DOWN once the write
    // queue is closed) before the close frame, after which nothing more may be sent: let the loop poll once.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    const closed = [...this.all].map((conn) => new Promise<void>((resolve) => {
      if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
      conn.ws.once('close', () => resolve());
      conn.close(CloseCode.GOING_AWAY, 'server shutting down');
    }));
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const { limits } = this.options;
    // Before authentication a client needs one frame; it gets a handful, refilled slowly, until `ready`.
    const budget = new FrameBudget(1, limits.framesBeforeAuth, performance.now());
    const conn = new Connection(newId(), ws, req.socket, budget, limits.sendBufferBytes, () => this.deps.metrics.slowConsumers.inc());
    // A browser app on our own origin (the upgrade checked Origin) authenticates with the cookie it brought.
    conn.cookieToken = sessionCookieOf(req.headers);
    this.all.add(conn);
    const authTimer = setTimeout(() => {
      if (!conn.authenticated) conn.close(CloseCode.AUTH_TIMEOUT, 'no auth frame in time');
    }, this.options.authTimeoutMs);
    authTimer.unref();
    ws.on('message', (data, isBinary) => this.onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (err) => this.deps.log.debug({ err }, 'websocket error'));
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.all.delete(conn);
      if (conn.authenticated) this.detach(conn);
    });
  }

  private onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    const received = performance.now();
    conn.alive = true;
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    // Charged before anything reads the frame: one connection cannot buy more work by sending garbage.
    const verdict = conn.budget.charge(bytes, received);
    if (verdict !== 'ok') return this.overBudget(conn, verdict);
    if (isBinary) return this.reject(conn, 'VALIDATION_FAILED', undefined, 'Frames are JSON text, not binary.');
    if (bytes > this.options.limits.maxFrameBytes) {
      return this.reject(conn, 'FRAME_TOO_LARGE', undefined, undefined, { maxBytes: this.options.limits.maxFrameBytes });
    }
    let json: unknown;
    try {
      // binaryType is ws' default, 'nodebuffer': a text message arrives as one Buffer.
      json = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      return this.reject(conn, 'INVALID_JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return this.reject(conn, 'VALIDATION_FAILED', undefined, 'A frame is a JSON object with a "type".');
    }
    const raw = json as Record<string, unknown>;
    const rid = typeof raw.rid === 'string' && raw.rid.length > 0 && raw.rid.length <= 64 ? raw.rid : undefined;
    const schema = typeof raw.type === 'string' ? FRAME_SCHEMAS.get(raw.type) : undefined;
    if (!schema) {
      return this.reject(conn, 'UNKNOWN_FRAME_TYPE', rid, `Unknown frame type ${JSON.stringify(raw.type ?? null).slice(0, 80)}.`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      const first = issues[0];
      return this.reject(conn, 'VALIDATION_FAILED', rid, first ? `Invalid ${first.path || 'frame'}: ${first.message}` : undefined, { issues });
    }
    const frame = parsed.data as ClientFrame;
    this.deps.metrics.framesReceived.inc({ type: frame.type });
    if (frame.type === 'auth') {
      // A second auth, even one sent while the first is still being checked, gets its own answer.
      if (conn.authenticated || conn.authenticating) return this.reject(conn, 'ALREADY_AUTHENTICATED', rid);
      return void this.authenticate(conn, frame.token ?? conn.cookieToken, rid);
    }
    if (!conn.authenticated) return this.reject(conn, 'UNAUTHENTICATED', rid, 'Send an auth frame first.');
    void this.dispatch(conn, frame, rid, received);
  }

  private async dispatch(conn: Connection, frame: ClientFrame, rid: string | undefined, received: number): Promise<void> {
    try {
      this.deps.limiters[frame.type]?.take(conn.userId);
      const handler = this.handlers.get(frame.type)!;
      const result = await handler({ actor: { userId: conn.userId, sessionId: conn.sessionId }, connectionId: conn.id }, frame);
      if (rid !== undefined) conn.send(JSON.stringify({ type: 'result', rid, data: result ?? {} }));
      if (frame.type === 'message.send') this.deps.metrics.sendLatency.observe((performance.now() - received) / 1000);
    } catch (err) {
      if (!(err instanceof HearthError) || err.code === 'INTERNAL_ERROR') {
        this.deps.log.error({ err, type: frame.type }, 'frame handler failed');
      }
      const e = err instanceof HearthError ? err : new HearthError('INTERNAL_ERROR');
      this.sendError(conn, { type: 'error', ...(rid !== undefined ? { rid } : {}), ...e.toBody() });
    }
  }

  private overBudget(conn: Connection, verdict: Exclude<FrameVerdict, 'ok'>): void {
    if (verdict === 'notice') {
      return this.reject(conn, 'RATE_LIMITED', undefined, 'Too many frames on this connection: frames are being dropped.', {
        retryAfterMs: conn.budget.retryAfterMs(),
      });
    }
    if (verdict === 'close' && conn.isOpen) {
      this.deps.metrics.floodDisconnects.inc();
      conn.close(CloseCode.TOO_MANY_FRAMES, 'too many frames');
      // Nothing more it sends is worth reading, not even its closing handshake: the connection is cut after a second.
      conn.ws.pause();
    }
  }

  private reject(conn: Connection, code: ErrorFrame['code'], rid?: string, message?: string, details?: Record<string, unknown>): void {
    this.deps.metrics.framesReceived.inc({ type: `rejected:${code}` });
    const body = new HearthError(code, details, message).toBody();
    this.sendError(conn, { type: 'error', ...(rid !== undefined ? { rid } : {}), ...body });
  }

  private sendError(conn: Connection, frame: ErrorFrame): void {
    conn.send(JSON.stringify(frame));
  }

  private async authenticate(conn: Connection, token: string | undefined, rid: string | undefined): Promise<void> {
    let found;
    conn.authenticating = true;
    conn.cookieToken = undefined;
    try {
      found = await this.deps.auth.authenticate(token);
    } catch (err) {
      const refused = err instanceof HearthError && err.code === 'UNAUTHENTICATED';
      if (!refused) this.deps.log.error({ err }, 'could not check a token');
      const e = err instanceof HearthError ? err : new HearthError('INTERNAL_ERROR');
      this.sendError(conn, { type: 'error', ...(rid !== undefined ? { rid } : {}), ...e.toBody() });
      // Only a refused token means "sign in again"; a failure of ours must not make the client drop its token.
      return conn.close(refused ? CloseCode.UNAUTHENTICATED : CloseCode.INTERNAL_ERROR, refused ? 'authentication failed' : 'server error');
    } finally {
      conn.authenticating = false;
    }
    if (!conn.isOpen || conn.authenticated) return;
    conn.authenticated = true;
    const { limits } = this.options;
    conn.budget = new FrameBudget(limits.framesPerSecond, limits.frameBurst, performance.now());
    conn.userId = found.user.id;
    conn.sessionId = found.session.id;
    conn.readReceipts = found.user.read_receipts === 1;
    // The user's own topic is live before memberships are read: a conversation joined meanwhile is queued and
    // applied after, so none is missed and none is applied against a stale list. Every conversation's topic is
    // live before `ready`, so that every event after it reaches the socket.
    conn.pendingEvents = [];
    try {
      await this.subscriptions.add(conn, topics.user(conn.userId));
      if (!conn.isOpen) return;
      const conversationIds = await this.deps.conversations.conversationIdsOf(conn.userId);
      if (!conn.isOpen) return;
      await Promise.all(conversationIds.map((id) => this.subscriptions.add(conn, topics.conversation(id))));
      if (!conn.isOpen) return;
      // No presence is announced for these: the client's sync after `ready` returns all of it.
      await this.contacts.attach(conn, conversationIds, false);
      if (!conn.isOpen) return;
      this.deps.presence.connect(conn.userId, conn.id);
      this.deps.metrics.connections.inc();
      const ready: ReadyFrame = {
        type: 'ready',
        ...(rid !== undefined ? { rid } : {}),
        me: toMe(found.user),
        sessionId: conn.sessionId,
        connectionId: conn.id,
        serverTime: this.deps.clock.now(),
        heartbeatMs: this.options.heartbeatMs,
        limits: {
          maxFrameBytes: this.options.limits.maxFrameBytes,
          maxTextBytes: this.options.limits.maxTextBytes,
          maxPageSize: this.options.limits.maxPageSize,
          typingTtlMs: this.options.limits.typingTtlMs,
        },
      };
      conn.send(JSON.stringify(ready));
      conn.ready = true;
    } catch (err) {
      this.deps.log.error({ err }, 'could not set up an authenticated socket');
      return conn.close(CloseCode.GOING_AWAY, 'setup failed');
    }
    const pending = conn.pendingEvents;
    conn.pendingEvents = null;
    for (const apply of pending ?? []) apply();
  }

  /** Undoes everything an authenticated socket set up. */
  private detach(conn: Connection): void {
    const conversationIds = [...conn.topics].filter((t) => t.startsWith('c:')).map((t) => t.slice(2));
    for (const topic of conn.topics) this.subscriptions.remove(conn, topic);
    this.contacts.detachAll(conn, conversationIds);
    if (conn.ready) {
      this.deps.presence.disconnect(conn.userId, conn.id);
      this.deps.metrics.connections.dec();
    }
    this.deps.typing.connectionClosed(conn.id);
  }

  /** One event for the local sockets of a topic (live, or replayed after a gap). */
  private fanOut(connections: ReadonlySet<Connection>, msg: BusMessage): void {
    // Membership changes update the node's rosters once, before any socket sees them.
    this.contacts.onMembership(msg.event);
    // Encoded once: every socket that gets the event as it is gets these bytes (ws would encode a string per socket).
    const frame = Buffer.from(msg.raw);
    // Copy: handling a user event may change subscriptions while we iterate.
    for (const conn of connections.size === 1 ? connections : [...connections]) this.deliver(conn, msg, frame);
  }

  /** Applies the per-recipient rules, then writes the event. Until `ready` is sent, events wait, in order. */
  private deliver(conn: Connection, msg: BusMessage, frame: Buffer): void {
    if (conn.pendingEvents) return void conn.pendingEvents.push(() => this.deliver(conn, msg, frame));
    const event = msg.event;
    switch (event.type) {
      case 'typing':
        if (event.userId === conn.userId) return;
        break;
      case 'receipt.updated':
        if (!conn.readReceipts && event.userId !== conn.userId) {
          // Someone who does not share read receipts sees none: not the pointer, nor a bare sign that it moved.
          if (msg.hints.receiptSharersOnly) return;
          if (event.readSeq !== null) return this.write(conn, JSON.stringify({ ...event, readSeq: null }));
        }
        break;
      default:
        if (msg.topic === topics.user(conn.userId)) return this.onUserEvent(conn, msg, frame);
    }
    this.write(conn, frame);
  }

  /** Events about the user themselves change what this socket subscribes to before they are passed on. */
  private onUserEvent(conn: Connection, msg: BusMessage, frame: Buffer): void {
    const event = msg.event;
    switch (event.type) {
      case 'conversation.joined': {
        const topic = topics.conversation(event.conversation.id);
        if (conn.topics.has(topic)) break;
        // Events of the conversation after the position it was joined at, published before the subscription is live
        // (a direct conversation's first message follows at once), reach the socket from the database, after this.
        this.subscriptions.join(conn, topic, event.conversation.pts).catch((err: unknown) => this.deps.log.error({ err, topic }, 'could not subscribe'));
        const known = event.members ? new Map([[event.conversation.id, event.members.map((m) => m.userId)]]) : undefined;
        void this.contacts.attach(conn, [event.conversation.id], true, known);
        break;
      }
      case 'conversation.left': {
        const topic = topics.conversation(event.conversationId);
        if (!conn.topics.has(topic)) break;
        this.subscriptions.remove(conn, topic);
        this.contacts.detach(conn, event.conversationId);
        break;
      }
      case 'me.updated':
        conn.readReceipts = event.me.readReceipts;
        break;
      case 'session.revoked':
        if (event.sessionId === conn.sessionId) {
          this.write(conn, frame);
          return conn.close(CloseCode.SESSION_REVOKED, 'session revoked');
        }
        break;
    }
    this.write(conn, frame);
  }

  /**
   * The bus may have lost events of these topics (it has subscribed to them again). Conversations are brought up
   * to date from the database; for users' own topics, their sessions and memberships are checked again. The events
   * that no stream holds (receipts, unread counts, profiles, presence) cannot be replayed: every socket that may
   * have missed one is told `events.missed`, and catches up with sync and its cursor.
   */
  private onGap(list: string[]): void {
    const users: Connection[] = [];
    const touched = new Set<Connection>();
    for (const topic of list) {
      const conns = topic === topics.presence ? this.all : (this.subscriptions.connectionsOf(topic) ?? []);
      for (const conn of conns) touched.add(conn);
      if (topic.startsWith('c:')) this.subscriptions.catchUp(topic);
      else if (topic.startsWith('u:')) users.push(...conns);
    }
    void (users.length > 0 ? this.recheckUsers(users) : Promise.resolve()).then(() => {
      // After the check, which closed the sockets that must reconnect anyway. A socket still being set up reads
      // everything after its subscriptions went live: it missed nothing.
      const missed = Buffer.from(JSON.stringify({ type: 'events.missed' } satisfies ServerEvent));
      for (const conn of touched) if (conn.isOpen && conn.ready) this.write(conn, missed);
    });
  }

  /**
   * After a gap on users' own topics: sockets of sessions that ended are closed as revoked; sockets whose
   * conversations changed (a conversation.joined or .left was lost) resume, so that their sync tells them.
   */
  private async recheckUsers(conns: Connection[]): Promise<void> {
    // A socket still being set up reads its memberships after its user topic went live: it misses nothing.
    const live = conns.filter((c) => c.isOpen && c.ready);
    try {
      await this.closeEndedSessions(live);
      const byUser = new Map<string, Connection[]>();
      for (const conn of live) if (conn.isOpen) byUser.set(conn.userId, [...(byUser.get(conn.userId) ?? []), conn]);
      for (const [userId, list] of byUser) {
        const now = new Set((await this.deps.conversations.conversationIdsOf(userId)).map((id) => topics.conversation(id)));
        for (const conn of list) {
          const held = [...conn.topics].filter((t) => t.startsWith('c:'));
          if (held.length !== now.size || held.some((t) => !now.has(t))) conn.close(CloseCode.GOING_AWAY, 'catching up');
        }
      }
    } catch (err) {
      this.deps.log.error({ err }, 'could not check users after a bus gap');
    }
  }

  private write(conn: Connection, raw: string | Buffer): void {
    if (conn.send(raw)) this.deps.metrics.deliveries.inc();
  }

  private checkHeartbeats(): void {
    for (const conn of this.all) {
      if (!conn.alive) {
        conn.close(CloseCode.HEARTBEAT_TIMEOUT, 'no heartbeat');
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
    void this.closeEndedSessions([...this.all]);
  }

  /**
   * Sessions are normally ended through this process (and its bus), but another process may end them in the
   * database directly (the `hearth user reset-password` command): once a heartbeat, the sockets of sessions that no
   * longer exist are closed as revoked.
   */
  private async closeEndedSessions(conns: Connection[]): Promise<void> {
    const bySession = new Map<string, Connection[]>();
    for (const conn of conns) {
      if (!conn.authenticated) continue;
      const list = bySession.get(conn.sessionId) ?? [];
      list.push(conn);
      bySession.set(conn.sessionId, list);
    }
    if (bySession.size === 0) return;
    try {
      for (const sessionId of await this.deps.auth.endedSessions([...bySession.keys()])) {
        for (const conn of bySession.get(sessionId) ?? []) {
          this.write(conn, JSON.stringify({ type: 'session.revoked', sessionId }));
          conn.close(CloseCode.SESSION_REVOKED, 'session revoked');
        }
      }
    } catch (err) {
      this.deps.log.error({ err }, 'could not check sessions');
    }
  }
}
