import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { expect } from 'vitest';
import { call, RawSocket, signUp, type HttpResult } from './raw.js';
import type { TestServer } from './server.js';

/** A signed-up user: token, session, profile and password. */
export type Account = Awaited<ReturnType<typeof signUp>>;
type Frame = Awaited<ReturnType<RawSocket['request']>>;

/**
 * Settings for every server of the negative-path suites: many sign-ups come from one address (127.0.0.1), so the
 * per-address sign-up budget must not be what a test runs into by accident.
 */
export const MANY_SIGNUPS = { rateLimits: { signUpsPerHour: 100_000 } } as const;

/** Text content as the protocol takes it. */
export function text(body: string, entities: unknown[] = []): { type: 'text'; text: string; entities: unknown[] } {
  return { type: 'text', text: body, entities };
}

let clientCounter = 0;
/** A fresh clientId for a send. */
export function clientId(): string {
  return `c${Date.now().toString(36)}${(clientCounter++).toString(36)}`;
}

/** A well-formed id that names nothing on the server. */
export function unknownId(): string {
  return randomUUID();
}

type Tuple<N extends number, T, R extends T[] = []> = R['length'] extends N ? R : Tuple<N, T, [...R, T]>;

/** Signs up `n` new users. */
export async function users<N extends number>(t: TestServer, n: N): Promise<Tuple<N, Account>> {
  const out: Account[] = [];
  for (let i = 0; i < n; i++) out.push(await signUp(t.url));
  return out as Tuple<N, Account>;
}

function created(res: HttpResult, what: string): string {
  if (res.status !== 200) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

/**
 * Opens (or finds) the direct conversation of two users, from both sides, so that either may write first; returns its
 * id. Until its first message it is in nobody's list and no socket follows it (PROTOCOL.md §5.16).
 */
export async function direct(t: TestServer, a: Account, b: Account): Promise<string> {
  const id = created(await call(t.url, 'createConversation', { token: a.token, body: { kind: 'direct', userId: b.me.id } }), 'direct');
  created(await call(t.url, 'createConversation', { token: b.token, body: { kind: 'direct', userId: a.me.id } }), 'direct');
  return id;
}

/** The direct conversation of two users once `a` has said something in it: shared, and followed by both sockets. */
export async function sharedDirect(t: TestServer, a: Account, b: Account): Promise<string> {
  const id = created(await call(t.url, 'createConversation', { token: a.token, body: { kind: 'direct', userId: b.me.id } }), 'direct');
  await send(t, a, id, 'hi');
  return id;
}

/** Creates a group owned by `owner` with the given members; returns its id. */
export async function group(t: TestServer, owner: Account, members: Account[], title = 'a group'): Promise<string> {
  return created(
    await call(t.url, 'createConversation', { token: owner.token, body: { kind: 'group', title, memberIds: members.map((m) => m.me.id) } }),
    'group',
  );
}

/** Creates a public channel owned by `owner`; returns its id. */
export async function channel(t: TestServer, owner: Account, title = 'a channel'): Promise<string> {
  return created(await call(t.url, 'createConversation', { token: owner.token, body: { kind: 'channel', title } }), 'channel');
}

/** Makes `member` an admin of a group (the owner's call). */
export async function promote(t: TestServer, owner: Account, conversationId: string, member: Account): Promise<void> {
  const res = await call(t.url, 'updateMember', {
    token: owner.token,
    params: { conversationId, userId: member.me.id },
    body: { role: 'admin' },
  });
  if (res.status !== 200) throw new Error(`promote failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Sends a message over HTTP and returns the stored message; fails the test on any error. */
export async function send(t: TestServer, who: Account, conversationId: string, body = 'hello'): Promise<any> {
  const res = await call(t.url, 'sendMessage', { token: who.token, params: { conversationId }, body: { clientId: clientId(), content: text(body) } });
  if (res.status !== 200) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts an HTTP error answer: status, stable code and a human-readable message. */
export function expectError(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as any)?.code }).toEqual({ status, code });
  expect(typeof (res.body as any).message).toBe('string');
  expect((res.body as any).message.length).toBeGreaterThan(0);
}

/** Asserts a WebSocket `error` frame: its code, a human-readable message, and `rid` echoed when one was sent. */
export function expectErrorFrame(frame: Frame, code: string, rid?: string): void {
  expect(frame.type).toBe('error');
  expect(frame.code).toBe(code);
  expect(typeof frame.message).toBe('string');
  expect(frame.message.length).toBeGreaterThan(0);
  if (rid !== undefined) expect(frame.rid).toBe(rid);
}

/** The issues of a VALIDATION_FAILED answer, as `path` strings. */
export function issuePaths(body: any): string[] {
  return ((body?.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path);
}

/**
 * Proves a not-found answer reveals nothing: the answer about an existing conversation the caller is not in equals,
 * status and body, the answer about an id that names nothing (with each id in its place).
 */
export function expectSameAsNonexistent(forReal: HttpResult | Frame, forNothing: HttpResult | Frame, realId: string, nothingId: string): void {
  const strip = (r: HttpResult | Frame, id: string) => {
    const body = 'status' in r && 'headers' in r ? { status: r.status, ...(r.body as object) } : { ...(r as object) };
    return JSON.parse(JSON.stringify(body).replaceAll(id, '<id>')) as Record<string, unknown>;
  };
  const real = strip(forReal, realId);
  delete real.rid;
  const nothing = strip(forNothing, nothingId);
  delete nothing.rid;
  expect(real).toEqual(nothing);
  expect(real.code).toBe('CONVERSATION_NOT_FOUND');
}

/** The socket still answers: a ping gets its result. */
export async function expectSocketWorks(socket: RawSocket): Promise<void> {
  const answer = await socket.request({ type: 'ping' });
  expect(answer.type).toBe('result');
  expect(typeof answer.data.serverTime).toBe('number');
}

/** The server still answers an authenticated request. */
export async function expectServerWorks(t: TestServer, who: Account): Promise<void> {
  const me = await call(t.url, 'getMe', { token: who.token });
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(who.me.id);
}

/** Raw HTTP, for requests the endpoint table cannot express (bad JSON, odd headers, unknown paths). */
export async function http(
  t: TestServer,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResult> {
  const sent = typeof options.body === 'string' || options.body === undefined ? options.body : new Uint8Array(options.body);
  const res = await fetch(new URL(path, t.url), { method, headers: options.headers, body: sent });
  const raw = await res.text();
  let body: unknown = raw;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    // not JSON: kept as text for the assertion to show
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * A later event that must reach `observer`, to prove that something did NOT: a message in a direct conversation
 * with a helper user. Everything published before `fire()` is written to the socket before the marker, so once
 * the marker is in, a forbidden frame that has not arrived never will.
 */
export class Marker {
  private constructor(
    private readonly t: TestServer,
    private readonly helper: Account,
    private readonly conversationId: string,
  ) {}

  static async for(t: TestServer, observer: Account): Promise<Marker> {
    const [helper] = await users(t, 1);
    return new Marker(t, helper, await direct(t, helper, observer));
  }

  /** Sends the marker and resolves once `socket` received it. */
  async fire(socket: RawSocket): Promise<void> {
    const body = `marker ${clientId()}`;
    const arrived = socket.next((f) => f.type === 'message.created' && f.message.content?.type === 'text' && f.message.content.text === body);
    await send(this.t, this.helper, this.conversationId, body);
    await arrived;
  }
}

/** Fires the marker, then asserts no frame matching `forbidden` reached the socket. */
export async function expectNothingBeforeMarker(socket: RawSocket, marker: Marker, forbidden: (f: Frame) => boolean): Promise<void> {
  await marker.fire(socket);
  expect(socket.frames.filter(forbidden)).toEqual([]);
}

/** Frames received so far that concern one conversation. */
export function framesAbout(socket: RawSocket, conversationId: string): Frame[] {
  return socket.frames.filter((f) => f.conversationId === conversationId || f.conversation?.id === conversationId);
}

/** The client-side TCP socket under a raw WebSocket (to pause reading). */
export function tcpOf(socket: RawSocket): Socket {
  return (socket.ws as unknown as { _socket: Socket })._socket;
}

/**
 * The server's end of a client's TCP connection. The test server runs in this process, so its sockets are among
 * this process's handles: the one whose remote port is the client's local port. Used to watch how much output
 * the server holds for a client.
 */
export function serverEndOf(socket: RawSocket): Socket {
  const local = tcpOf(socket).localPort;
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const found = handles.find((h): h is Socket => typeof h === 'object' && h !== null && (h as Socket).remotePort === local && (h as Socket).localPort !== local);
  if (!found) throw new Error('server end of the socket not found');
  return found;
}

/** A counter or gauge of the server's Prometheus endpoint (on its metrics listener). */
export async function metric(t: TestServer, name: string): Promise<number> {
  const res = await fetch(new URL('/metrics', t.server.metricsUrl));
  const body = await res.text();
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
