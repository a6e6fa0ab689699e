import { api, buildPath, type AuthResult, type EndpointName, type ServerFrame } from '@hearth/protocol';
import WebSocket from 'ws';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls an endpoint of the protocol's table over real HTTP, without validating anything: tests check the answer. */
export async function call<T = any>(
  baseUrl: string,
  name: EndpointName,
  options: { token?: string; params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {},
): Promise<HttpResult<T>> {
  const endpoint = api[name];
  const url = new URL(buildPath(endpoint.path, options.params ?? {}), baseUrl);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: endpoint.method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

let counter = 0;
/** A unique username for a test user. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.toLowerCase().slice(0, 32);
}

/** The answer of a sign-up or sign-in that did not ask for the session cookie: the token is in it. */
export type BearerSession = AuthResult & { token: string };

/** Signs a new user up; returns the token and the account. */
export async function signUp(baseUrl: string, username = uniqueName(), password = 'correct horse battery'): Promise<BearerSession & { password: string }> {
  const res = await call<BearerSession>(baseUrl, 'signUp', { body: { username, displayName: username.toUpperCase(), password } });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, password };
}

type Frame = ServerFrame & Record<string, any>;

/**
 * A raw WebSocket client that records every frame, for tests that speak the wire protocol directly.
 */
export class RawSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }> = [];
  private rid = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(wsUrl: string): Promise<RawSocket> {
    const ws = new WebSocket(wsUrl);
    const socket = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  /** Records the frames of a socket the test opened itself (with headers of its choosing). */
  static wrap(ws: WebSocket): RawSocket {
    return new RawSocket(ws);
  }

  /** Opens a socket and authenticates it; resolves with the `ready` frame. */
  static async connect(wsUrl: string, token: string): Promise<RawSocket & { ready: Frame }> {
    const socket = await RawSocket.open(wsUrl);
    const ready = await socket.request({ type: 'auth', token });
    if (ready.type !== 'ready') throw new Error(`auth failed: ${JSON.stringify(ready)}`);
    return Object.assign(socket, { ready });
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a frame with a fresh `rid` and resolves with the `result`, `ready` or `error` frame answering it. */
  async request(frame: Record<string, unknown>, timeoutMs = 5000): Promise<Frame> {
    const rid = `r${++this.rid}`;
    const answer = this.next((f) => 'rid' in f && f.rid === rid, timeoutMs, false);
    this.send({ ...frame, rid });
    return answer;
  }

  /**
   * The first frame matching `pred`: by default among frames still to come, with `includePast` also among those
   * already received.
   */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000, includePast = false): Promise<Frame> {
    if (includePast) {
      const seen = this.frames.find(pred);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, from: this.frames.length, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Frames of the given type received so far. */
  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}
