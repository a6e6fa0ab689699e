import type {
  Content,
  Conversation,
  ConversationEvent,
  EndpointName,
  Entity,
  ForwardRef,
  LinkPreview,
  Member,
  Message,
  ReplyRef,
  Role,
  SendAck,
} from '@hearth/protocol';
import type { Clock, ConfigInput } from '@hearth/server';
import type { BackendName } from './backends.js';
import { call, RawSocket, uniqueName, type BearerSession, type HttpResult } from './raw.js';
import { startTestServer, type TestServer } from './server.js';

/*
 * Shared fixtures for the integration suite: a real server with a clock the tests can move forward, people who
 * sign in on several devices, conversations built in one call, and a pure model of a conversation that events
 * are applied to, to check that a stream of events reproduces what history shows.
 */

export type Socket = RawSocket & { ready: Record<string, any> };
// Frames are checked by the tests; their fields are read freely.
export type Frame = Record<string, any>;

interface ClockTimer {
  due: number;
  fn: () => void;
  handle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The system clock plus an offset that only grows: lets a test make time pass without waiting for it. Its timers
 * fire when their time comes on this clock, whether real time brought it or `advance` did.
 */
export class ShiftableClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<ClockTimer>();
  private scheduledWaiters: Array<() => void> = [];

  now(): number {
    return Date.now() + this.offset;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: ClockTimer = { due: this.now() + ms, fn, handle: undefined };
    this.timers.add(timer);
    this.arm(timer);
    for (const resolve of this.scheduledWaiters.splice(0)) resolve();
    return () => {
      clearTimeout(timer.handle);
      this.timers.delete(timer);
    };
  }

  /**
   * Resolves when the server next sets a timer on this clock: the sign that it has handled what starts one (the last
   * socket of a user closing starts the presence grace), so that `advance` then finds it. Call it before the action.
   */
  nextTimer(): Promise<void> {
    return new Promise((resolve) => this.scheduledWaiters.push(resolve));
  }

  /** Moves time on by `ms`; timers now due fire on the next turn of the event loop, in the order they fall due. */
  advance(ms: number): void {
    this.offset += ms;
    const pending = [...this.timers].sort((a, b) => a.due - b.due);
    for (const timer of pending) {
      clearTimeout(timer.handle);
      this.arm(timer);
    }
  }

  private arm(timer: ClockTimer): void {
    timer.handle = setTimeout(() => {
      this.timers.delete(timer);
      timer.fn();
    }, Math.max(0, timer.due - this.now()));
    timer.handle.unref();
  }
}

/** Budgets no test reaches: the suite signs up many people from one address and sends in bulk. */
export const GENEROUS_LIMITS: ConfigInput = {
  rateLimits: {
    signUpsPerHour: 1_000_000,
    sendPerSecond: 1_000_000,
    sendBurst: 1_000_000,
    expensivePerSecond: 1_000_000,
    expensiveBurst: 1_000_000,
  },
};

export interface Person {
  id: string;
  username: string;
  password: string;
  /** Token of the first session; each further device signs in with a session of its own. */
  token: string;
  me: BearerSession['me'];
  devices: Socket[];
}

export class Scenario {
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly t: TestServer,
    readonly clock: ShiftableClock,
  ) {}

  get url(): string {
    return this.t.url;
  }

  /** A new account. */
  async person(prefix = 'u'): Promise<Person> {
    const username = uniqueName(prefix);
    const password = 'correct horse battery';
    const res = await call<BearerSession>(this.url, 'signUp', { body: { username, displayName: `${prefix.toUpperCase()} ${username}`, password } });
    if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.me.id, username, password, token: res.body.token, me: res.body.me, devices: [] };
  }

  async people(n: number, prefix = 'u'): Promise<Person[]> {
    const out: Person[] = [];
    for (let i = 0; i < n; i++) out.push(await this.person(`${prefix}${i}`));
    return out;
  }

  /**
   * Opens one more device of the person: the first uses the sign-up session, later ones sign in again so that each
   * device has a session of its own, as real devices do.
   */
  async connect(p: Person): Promise<Socket> {
    let token = p.token;
    if (p.devices.length > 0) {
      const res = await call<BearerSession>(this.url, 'signIn', { body: { username: p.username, password: p.password, deviceName: `device ${p.devices.length + 1}` } });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
      token = res.body.token;
    }
    const ws = (await RawSocket.connect(this.t.wsUrl, token)) as Socket;
    p.devices.push(ws);
    this.sockets.add(ws);
    return ws;
  }

  /** Opens `n` devices of the person. */
  async devices(p: Person, n: number): Promise<Socket[]> {
    const out: Socket[] = [];
    for (let i = 0; i < n; i++) out.push(await this.connect(p));
    return out;
  }

  /** Closes one device and waits until the socket is closed. */
  async disconnect(p: Person, ws: Socket): Promise<void> {
    p.devices = p.devices.filter((d) => d !== ws);
    this.sockets.delete(ws);
    ws.close();
    await ws.closed;
  }

  /** Closes every socket the scenario opened (between tests). */
  async disconnectAll(): Promise<void> {
    const all = [...this.sockets];
    this.sockets.clear();
    for (const ws of all) ws.close();
    await Promise.all(all.map((ws) => ws.closed));
  }

  async close(): Promise<void> {
    await this.disconnectAll();
    await this.t.close();
  }

  /** A call over HTTP as the person; the answer is returned whatever its status. */
  http<T = any>(
    p: Person,
    name: EndpointName,
    options: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<HttpResult<T>> {
    return call<T>(this.url, name, { token: p.token, ...options });
  }

  /** A call over HTTP that must succeed; resolves with the body. */
  async ok<T = any>(
    p: Person,
    name: EndpointName,
    options: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<T> {
    const res = await this.http<T>(p, name, options);
    if (res.status < 200 || res.status >= 300) throw new Error(`${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A call over HTTP that must fail with the given code; resolves with the HTTP status. */
  async fails(
    p: Person,
    name: EndpointName,
    code: string,
    options: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<number> {
    const res = await this.http(p, name, options);
    if (res.status < 400 || res.body?.code !== code) throw new Error(`${name}: expected ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
    return res.status;
  }

  /**
   * The direct conversation of two people, opened by both (as `a` sees it): either may write first. Nothing was said in
   * it yet, so it is in nobody's list and no socket follows it until its first message (PROTOCOL.md §5.16).
   */
  async direct(a: Person, b: Person): Promise<Conversation> {
    const opened = await this.ok<Conversation>(a, 'createConversation', { body: { kind: 'direct', userId: b.id } });
    await this.ok<Conversation>(b, 'createConversation', { body: { kind: 'direct', userId: a.id } });
    return opened;
  }

  /** The direct conversation of two people once `a` has said something in it: shared, and followed by both sockets. */
  async sharedDirect(a: Person, b: Person, words = 'hi'): Promise<Conversation> {
    const opened = await this.ok<Conversation>(a, 'createConversation', { body: { kind: 'direct', userId: b.id } });
    await this.post(a, opened.id, words);
    return opened;
  }

  group(owner: Person, members: Person[], title = uniqueName('group')): Promise<Conversation> {
    return this.ok<Conversation>(owner, 'createConversation', { body: { kind: 'group', title, memberIds: members.map((m) => m.id) } });
  }

  /** A channel created by `owner` and joined by `joiners`. */
  async channel(owner: Person, joiners: Person[] = [], title = uniqueName('channel')): Promise<Conversation> {
    const created = await this.ok<Conversation>(owner, 'createConversation', { body: { kind: 'channel', title } });
    for (const j of joiners) await this.ok(j, 'joinChannel', { params: { conversationId: created.id } });
    return created;
  }

  conversation(p: Person, conversationId: string): Promise<Conversation> {
    return this.ok<Conversation>(p, 'getConversation', { params: { conversationId } });
  }

  async members(p: Person, conversationId: string): Promise<Member[]> {
    return (await this.ok<{ members: Member[] }>(p, 'listMembers', { params: { conversationId } })).members;
  }

  async listed(p: Person): Promise<Conversation[]> {
    return (await this.ok<{ conversations: Conversation[] }>(p, 'listConversations')).conversations;
  }

  /** Sends a text message over HTTP. */
  post(p: Person, conversationId: string, words: string, extra: { clientId?: string; replyToId?: string; entities?: Entity[] } = {}): Promise<Message> {
    return this.ok<Message>(p, 'sendMessage', {
      params: { conversationId },
      body: { clientId: extra.clientId ?? nextClientId(), content: text(words, extra.entities), ...(extra.replyToId ? { replyToId: extra.replyToId } : {}) },
    });
  }

  /** Every message of a conversation, oldest first (walks back page by page). */
  async history(p: Person, conversationId: string): Promise<Message[]> {
    const out: Message[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await this.ok<{ messages: Message[]; hasMore: boolean }>(p, 'history', {
        params: { conversationId },
        query: { limit: 100, ...(before !== undefined ? { before } : {}) },
      });
      out.unshift(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return out;
      before = page.messages[0]!.seq;
    }
  }
}

/** Starts a server (fresh database) with generous budgets, a shiftable clock, and the given overrides. */
export async function startScenario(backend: BackendName, overrides: ConfigInput = {}): Promise<Scenario> {
  const clock = new ShiftableClock();
  const config: ConfigInput = {
    ...GENEROUS_LIMITS,
    ...overrides,
    rateLimits: { ...GENEROUS_LIMITS.rateLimits, ...overrides.rateLimits },
  };
  const t = await startTestServer(backend, config, { clock });
  return new Scenario(t, clock);
}

let clientCounter = 0;
export function nextClientId(prefix = 'c'): string {
  return `${prefix}${Date.now().toString(36)}_${(clientCounter++).toString(36)}`;
}

/** Text content. */
export function text(words: string, entities: Entity[] = []): Content {
  return { type: 'text', text: words, entities };
}

/** A mention entity of `userId` over the first occurrence of `label` in `words`. */
export function mention(words: string, label: string, userId: string): Entity {
  const offset = words.indexOf(label);
  if (offset < 0) throw new Error(`${label} is not in ${words}`);
  return { type: 'mention', offset, length: label.length, userId };
}

export function mentionAll(words: string, label = '@all'): Entity {
  const offset = words.indexOf(label);
  if (offset < 0) throw new Error(`${label} is not in ${words}`);
  return { type: 'mention_all', offset, length: label.length };
}

/**
 * Sends a text message over a socket and resolves with the stored message (throws on an error frame): the one the
 * acknowledgement carries, else the sending socket's own `message.created` of it, as the SDK gets it.
 */
export async function sendVia(
  ws: RawSocket,
  conversationId: string,
  words: string,
  extra: { clientId?: string; replyToId?: string; entities?: Entity[] } = {},
): Promise<Message> {
  const answer = await ws.request({
    type: 'message.send',
    conversationId,
    clientId: extra.clientId ?? nextClientId(),
    content: text(words, extra.entities),
    ...(extra.replyToId ? { replyToId: extra.replyToId } : {}),
  });
  if (answer.type !== 'result') throw new Error(`send failed: ${JSON.stringify(answer)}`);
  const ack = answer.data as SendAck;
  return ack.message ?? ((await until(ws, (f) => f.type === 'message.created' && f.message.id === ack.id)).message as Message);
}

/** Sends any frame and resolves with its result data (throws on an error frame). */
export async function requestOk(ws: RawSocket, frame: Record<string, unknown>): Promise<any> {
  const answer = await ws.request(frame);
  if (answer.type !== 'result') throw new Error(`${String(frame.type)} failed: ${JSON.stringify(answer)}`);
  return answer.data;
}

/** A predicate for an event of the given type whose fields include `fields` (compared with ===, one level deep). */
export function is(type: string, fields: Record<string, unknown> = {}): (f: Frame) => boolean {
  return (f) => f.type === type && Object.entries(fields).every(([k, v]) => f[k] === v);
}

/** Waits for a matching frame, among those already received or still to come. */
export function until(ws: RawSocket, pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
  return ws.next(pred, timeoutMs, true);
}

/** Waits until `count` frames match (counting those already received); resolves with all of them. */
export async function untilCount(ws: RawSocket, pred: (f: Frame) => boolean, count: number, timeoutMs = 10_000): Promise<Frame[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matching = ws.frames.filter(pred);
    if (matching.length >= count) return matching;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`expected ${count} matching frames, got ${matching.length}`);
    await ws.next(pred, left).catch(() => undefined);
  }
}

/** Frames of the socket that match, so far. */
export function seen(ws: RawSocket, pred: (f: Frame) => boolean): Frame[] {
  return ws.frames.filter(pred);
}

/** The conversation events (those with a pts) of one conversation that a socket received, in arrival order. */
export function streamOf(ws: RawSocket, conversationId: string): ConversationEvent[] {
  return ws.frames.filter((f) => typeof f.pts === 'number' && f.conversationId === conversationId) as ConversationEvent[];
}

/* ------------------------------------------------------------------------------------------------------------
 * A local model of one conversation, as a client keeps it: messages by id with their content and reactions,
 * the members and their roles, the title and topic, and the position applied so far. Pure: no I/O.
 * ---------------------------------------------------------------------------------------------------------- */

export interface ModelMessage {
  id: string;
  seq: number;
  senderId: string;
  content: Content | null;
  replyTo: ReplyRef | null;
  forwarded: ForwardRef | null;
  editedAt: number | null;
  deletedAt: number | null;
  /** emoji → users who reacted with it */
  reactions: Map<string, Set<string>>;
  linkPreview: LinkPreview | null;
}

export interface ConversationModel {
  pts: number;
  title: string | null;
  topic: string;
  messages: Map<string, ModelMessage>;
  members: Map<string, Role>;
  /** Whose copy this is, when a test follows one person: their removal ends the stream (see `applyEvent`). */
  viewerId?: string;
  /** Set once the viewer left or was removed: `'leaving'` until the system line that records it, then `'gone'`. */
  viewerLeft?: 'leaving' | 'gone';
  /** The pts of every event applied, in order; a duplicate is never applied. */
  applied: number[];
  /** The pts of events recognised as already applied. */
  duplicates: number[];
}

function toModelMessage(m: Message): ModelMessage {
  return {
    id: m.id,
    seq: m.seq,
    senderId: m.senderId,
    content: m.content,
    replyTo: m.replyTo,
    forwarded: m.forwarded,
    editedAt: m.editedAt,
    deletedAt: m.deletedAt,
    reactions: new Map(m.reactions.map((g) => [g.emoji, new Set(g.userIds)])),
    linkPreview: m.linkPreview,
  };
}

/**
 * The model of a conversation as loaded at position `pts`: its history, members, title and topic; with `viewerId`, as
 * that person holds it.
 */
export function loadModel(
  state: { pts: number; title: string | null; topic: string; messages: Message[]; members: Member[] },
  viewerId?: string,
): ConversationModel {
  return {
    ...(viewerId ? { viewerId } : {}),
    pts: state.pts,
    title: state.title,
    topic: state.topic,
    messages: new Map(state.messages.map((m) => [m.id, toModelMessage(m)])),
    members: new Map(state.members.map((m) => [m.userId, m.role])),
    applied: [],
    duplicates: [],
  };
}

/**
 * Applies one event. An event at or below the model's position is a duplicate and changes nothing; one that
 * skips a position is a gap, which a client fills by sync: it throws here, since a test never expects one.
 */
export function applyEvent(model: ConversationModel, event: ConversationEvent): 'applied' | 'duplicate' {
  if (event.pts <= model.pts) {
    model.duplicates.push(event.pts);
    return 'duplicate';
  }
  if (event.pts !== model.pts + 1) throw new Error(`gap: model at ${model.pts}, event ${event.type} at ${event.pts}`);
  // Someone who left or was removed gets the system line that records it, and nothing after it.
  if (model.viewerLeft === 'gone') throw new Error(`${event.type} at ${event.pts} reached ${model.viewerId} after they left`);
  if (model.viewerLeft === 'leaving') {
    if (event.type !== 'message.created' || event.message.content?.type !== 'system') throw new Error(`${event.type} at ${event.pts} reached ${model.viewerId} before the line of their leaving`);
    model.viewerLeft = 'gone';
  }
  const message = (id: string) => {
    const m = model.messages.get(id);
    if (!m) throw new Error(`${event.type} at ${event.pts} for unknown message ${id}`);
    // A system line records what happened: nothing changes it.
    if (m.content?.type === 'system') throw new Error(`${event.type} at ${event.pts} changes the system line ${id}`);
    return m;
  };
  switch (event.type) {
    case 'message.created':
      // Sync may send the message as it is now (edited, reacted to); later events then bring it to the same state.
      model.messages.set(event.message.id, toModelMessage(event.message));
      break;
    case 'message.edited': {
      const m = message(event.messageId);
      m.content = event.content;
      m.editedAt = event.editedAt;
      requote(model, m);
      break;
    }
    case 'message.deleted': {
      const m = message(event.messageId);
      m.content = null;
      m.deletedAt = event.deletedAt;
      m.reactions.clear();
      m.linkPreview = null;
      requote(model, m);
      break;
    }
    case 'message.previewed':
      message(event.messageId).linkPreview = event.linkPreview;
      break;
    case 'reaction.added': {
      const m = message(event.messageId);
      const users = m.reactions.get(event.emoji) ?? new Set<string>();
      users.add(event.userId);
      m.reactions.set(event.emoji, users);
      break;
    }
    case 'reaction.removed': {
      const m = message(event.messageId);
      const users = m.reactions.get(event.emoji);
      users?.delete(event.userId);
      if (users && users.size === 0) m.reactions.delete(event.emoji);
      break;
    }
    case 'conversation.updated':
      model.title = event.title;
      model.topic = event.topic;
      break;
    case 'member.joined':
      model.members.set(event.member.userId, event.member.role);
      break;
    case 'member.left':
      model.members.delete(event.userId);
      if (event.userId === model.viewerId) model.viewerLeft = 'leaving';
      break;
    case 'member.updated':
      model.members.set(event.userId, event.role);
      break;
  }
  model.pts = event.pts;
  model.applied.push(event.pts);
  return 'applied';
}

/** How much of the quoted text a reply carries, in code points (the server's excerpt length). */
export const REPLY_EXCERPT_CHARS = 200;

/** Replies show the quoted message as it is now: its edited words, or none once it is deleted. */
function requote(model: ConversationModel, quoted: ModelMessage): void {
  // Counted in code points, as the server cuts it: never through an emoji.
  const excerpt = quoted.content?.type === 'text' ? Array.from(quoted.content.text).slice(0, REPLY_EXCERPT_CHARS).join('') : null;
  for (const m of model.messages.values()) if (m.replyTo?.messageId === quoted.id) m.replyTo = { ...m.replyTo, excerpt };
}

export function applyEvents(model: ConversationModel, events: readonly ConversationEvent[]): ConversationModel {
  for (const e of events) applyEvent(model, e);
  return model;
}

/** A comparable form of messages: by seq, reactions sorted by emoji with their users sorted. */
export interface MessageView {
  id: string;
  seq: number;
  senderId: string;
  content: Content | null;
  replyTo: ReplyRef | null;
  forwarded: ForwardRef | null;
  editedAt: number | null;
  deletedAt: number | null;
  reactions: Array<{ emoji: string; userIds: string[] }>;
  linkPreview: LinkPreview | null;
}

export function viewOfModel(model: ConversationModel): MessageView[] {
  return [...model.messages.values()]
    .map((m) => ({
      id: m.id,
      seq: m.seq,
      senderId: m.senderId,
      content: m.content,
      replyTo: m.replyTo,
      forwarded: m.forwarded,
      editedAt: m.editedAt,
      deletedAt: m.deletedAt,
      reactions: [...m.reactions.entries()].map(([emoji, users]) => ({ emoji, userIds: [...users].sort() })).sort(byEmoji),
      linkPreview: m.linkPreview,
    }))
    .sort((a, b) => a.seq - b.seq);
}

export function viewOfHistory(messages: readonly Message[]): MessageView[] {
  return viewOfModel(loadModel({ pts: 0, title: null, topic: '', messages: [...messages], members: [] }));
}

/** Members as `userId → role`, sorted, for comparing. */
export function rolesOf(members: ReadonlyMap<string, Role> | readonly Member[]): Array<[string, Role]> {
  const entries: Array<[string, Role]> = Array.isArray(members)
    ? (members as Member[]).map((m) => [m.userId, m.role])
    : [...(members as ReadonlyMap<string, Role>).entries()];
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function byEmoji(a: { emoji: string }, b: { emoji: string }): number {
  return a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0;
}

/** Positions `from..to` inclusive. */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
