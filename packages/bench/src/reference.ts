import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { mapLimit } from './clients.js';
import { log, nowEpochMs } from './log.js';
import { freePort, processCpuMs, processRssKb, trackChild, untrackChild } from './server-process.js';
import type { Seat, Tracker } from './tracker.js';

/**
 * The reference relay: the floor under any server that stores before it acknowledges (a `ws` server that parses
 * each JSON frame, appends it to SQLite in one transaction per event-loop turn, acks and delivers). It is not part
 * of this repository: it sits beside it, in the workplace's shared folder, and the bench runs it when it is there.
 * Wire: ws://HOST:PORT/?id=ME; send {"to","cid","body"}; the sender gets {"ack","seq"}, the peer {"from","conv","seq","body"}.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
export const DEFAULT_RELAY = path.resolve(repoRoot, '../shared/reference/durable-ws-server.mjs');

/** The relay's script: `--reference FILE`, else HEARTH_REFERENCE_RELAY, else beside the repository; undefined if absent. */
export function findRelay(explicit: string | undefined): string | undefined {
  const file = path.resolve(explicit ?? process.env.HEARTH_REFERENCE_RELAY ?? DEFAULT_RELAY);
  return fs.existsSync(file) ? file : undefined;
}

/** One relay process on loopback with a database of its own (the relay deletes it when it stops). */
export class RelayProcess {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(script: string): Promise<RelayProcess> {
    const port = await freePort();
    // The relay resolves better-sqlite3 and ws from its working directory: the server's, which has both.
    const child = spawn(process.execPath, [script, '--host', '127.0.0.1', '--port', String(port)], {
      cwd: path.join(repoRoot, 'packages/server'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    trackChild(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('"ready":true')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the reference relay exited during start-up with code ${code}`)));
    });
    log(`reference relay pid ${child.pid} listening on 127.0.0.1:${port}`);
    return new RelayProcess(child, port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  rssKb(): number {
    return processRssKb(this.pid);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
    untrackChild(this.child);
  }
}

/** A client of the relay with the surface the load loops use (`send`, `onAck`, `seat`, `close`). */
export class RelayClient {
  seat: Seat | undefined;
  /** The id of the client it writes to. */
  peer = '';
  closedUnexpectedly = false;
  onAck: (() => void) | undefined;
  private ws: WebSocket | undefined;
  private counter = 0;
  private expectClose = false;

  constructor(
    readonly id: string,
    private readonly tracker: Tracker | undefined,
  ) {}

  connect(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/?id=${this.id}`, { perMessageDeflate: false, skipUTF8Validation: true });
      this.ws = ws;
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => this.onFrame(data));
      ws.on('close', () => {
        if (this.expectClose) return;
        this.closedUnexpectedly = true;
        this.tracker?.disconnect();
      });
    });
  }

  /** Sends one message to the peer; the body starts with the send time and the message's id, as Hearth's text does. */
  send(textPad: string): void {
    const clientId = `${this.id}n${this.counter++}`;
    const sentAt = nowEpochMs();
    this.tracker!.sent(clientId, this.seat!, sentAt);
    this.ws!.send(JSON.stringify({ to: this.peer, cid: clientId, body: `${sentAt.toFixed(3)} ${clientId} ${textPad}` }));
  }

  close(): void {
    this.expectClose = true;
    this.ws?.terminate();
  }

  private onFrame(data: Buffer): void {
    const tracker = this.tracker;
    if (!tracker) return;
    const now = nowEpochMs();
    const frame = JSON.parse(data.toString()) as { ack?: string; body?: string };
    if (frame.ack !== undefined) {
      if (tracker.acked(frame.ack, now)) this.onAck?.();
    } else if (frame.body !== undefined) {
      tracker.received(this.seat!, frame.body.split(' ', 2)[1] ?? '', false, frame.body, now);
    }
  }
}

/** 2 × pairs relay clients, each writing to its pair's other client, every socket open. */
export async function relayPairs(relay: RelayProcess, tracker: Tracker | undefined, pairs: number): Promise<RelayClient[]> {
  const clients = Array.from({ length: pairs * 2 }, (_, i) => new RelayClient(`r${i}`, tracker));
  clients.forEach((c, i) => {
    c.seat = { conversationId: `pair${Math.floor(i / 2)}`, slot: i % 2, size: 2 };
    c.peer = `r${i ^ 1}`;
  });
  const started = performance.now();
  await mapLimit(clients, 100, (c) => c.connect(relay.port));
  log(`connected ${clients.length} relay sockets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return clients;
}
