import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { log, nowEpochMs } from './log.js';
import type { Seat, Tracker } from './tracker.js';

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function rest<T>(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export interface BenchUser {
  index: number;
  userId: string;
  token: string;
}

/** Signs up `count` users through the REST API, `concurrency` at a time. */
export async function createUsers(baseUrl: string, count: number, concurrency = 32): Promise<BenchUser[]> {
  const tag = randomBytes(3).toString('hex');
  const started = performance.now();
  const users = await mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const result = await rest<{ token: string; me: { id: string } }>(baseUrl, 'POST', '/api/auth/signup', undefined, {
      username: `b${tag}u${i}`,
      displayName: `Bench ${i}`,
      password: 'bench-password',
    });
    return { index: i, userId: result.me.id, token: result.token };
  });
  log(`signed up ${count} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return users;
}

/** Creates a conversation as `owner`; returns its id. */
export async function createConversation(baseUrl: string, owner: BenchUser, body: unknown): Promise<string> {
  const conv = await rest<{ id: string }>(baseUrl, 'POST', '/api/conversations', owner.token, body);
  return conv.id;
}

let unexpectedCloses = 0;

/**
 * One raw WebSocket client: authenticates, sends `message.send` frames, and reports acknowledgements and
 * received messages to the tracker. It sends nothing else (no receipts, no typing, no pings: the `ws` library
 * answers the server's protocol-level pings by itself).
 */
export class BenchClient {
  ws: WebSocket | undefined;
  seat: Seat | undefined;
  closedUnexpectedly = false;
  /** Called after each acknowledgement of one of this client's sends (closed-loop scenarios send the next one). */
  onAck: (() => void) | undefined;
  private counter = 0;
  private expectClose = false;

  constructor(
    readonly user: BenchUser,
    private readonly tracker: Tracker | undefined,
  ) {}

  /** `localAddress` picks the source address (one address has only ~28k ports: many sockets need several). */
  connect(wsUrl: string, timeoutMs = 30_000, localAddress?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false, skipUTF8Validation: true, ...(localAddress ? { localAddress } : {}) });
      this.ws = ws;
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) {
          ws.terminate();
          reject(new Error(`client ${this.user.index}: no ready frame within ${timeoutMs} ms`));
        }
      }, timeoutMs);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: this.user.token })));
      ws.on('message', (data: Buffer) => {
        if (!ready) {
          const frame = JSON.parse(data.toString()) as { type: string; code?: string; message?: string };
          if (frame.type === 'ready') {
            ready = true;
            clearTimeout(timer);
            resolve();
          } else if (frame.type === 'error') {
            clearTimeout(timer);
            reject(new Error(`client ${this.user.index}: auth failed: ${frame.code} ${frame.message}`));
          }
          return;
        }
        this.onFrame(data);
      });
      ws.on('error', (err) => {
        if (!ready) {
          clearTimeout(timer);
          reject(err);
        }
      });
      ws.on('close', (code, reason) => {
        if (!this.expectClose) {
          this.closedUnexpectedly = true;
          this.tracker?.disconnect();
          if (++unexpectedCloses <= 5) log(`client ${this.user.index} closed by the server: ${code} ${reason.toString()}`);
          else if (unexpectedCloses === 6) log('more sockets closed by the server; not logging each');
        }
      });
    });
  }

  /** Sends one text message to the client's conversation, stamped with the send time. */
  send(textPad: string): void {
    const seat = this.seat!;
    const clientId = `c${this.user.index}n${this.counter++}`;
    const sentAt = nowEpochMs();
    const text = `${sentAt.toFixed(3)} ${textPad}`;
    this.tracker!.sent(clientId, seat, sentAt);
    this.ws!.send(
      `{"type":"message.send","rid":"${clientId}","conversationId":"${seat.conversationId}","clientId":"${clientId}","content":{"type":"text","text":${JSON.stringify(text)}}}`,
    );
  }

  close(): void {
    this.expectClose = true;
    this.ws?.terminate();
  }

  private onFrame(data: Buffer): void {
    const now = nowEpochMs();
    const frame = JSON.parse(data.toString()) as {
      type: string;
      rid?: string;
      code?: string;
      message?: { clientId: string; senderId: string; content: { text: string } | null };
    };
    const tracker = this.tracker;
    if (!tracker) return;
    switch (frame.type) {
      case 'result':
        if (tracker.acked(frame.rid!, now)) this.onAck?.();
        break;
      case 'error':
        tracker.failed(frame.rid, frame.code ?? 'UNKNOWN');
        if (frame.rid) this.onAck?.();
        break;
      case 'message.created': {
        const m = frame.message!;
        tracker.received(this.seat!, m.clientId, m.senderId === this.user.userId, m.content?.text ?? '', now);
        break;
      }
      default:
        break;
    }
  }
}

/** Opens and authenticates sockets for all `clients`, `concurrency` handshakes at a time. */
export async function connectAll(clients: BenchClient[], wsUrl: string, concurrency = 100): Promise<void> {
  const started = performance.now();
  await mapLimit(clients, concurrency, (c) => c.connect(wsUrl));
  log(`connected ${clients.length} sockets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
