import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, type BackendName } from '../support/backends.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call, RawSocket, signUp } from '../support/raw.js';
import { createPostgresDatabase, startTestServer, tempDataDir, type TestServer } from '../support/server.js';

/*
 * Crash, graceful stop and restart on the data of a real server process, under load.
 *
 * The kill -9 lands a random delay (0-20 ms) after the 500th acknowledgement. The test logs the delay it chose for
 * each backend as a line you can paste back to crash at the same moment again:
 *
 *   durability (sqlite): SIGKILL 13.27 ms after the 500th ack; replay with HEARTH_TEST_CRASH_DELAYS=sqlite:13.27
 *
 *   HEARTH_TEST_CRASH_DELAYS=sqlite:13.27,postgres:4.05 npx vitest run packages/server/test/integration/durability.test.ts
 *
 * A backend the variable does not name gets a random delay. The load itself still depends on scheduling, so a
 * replay crashes at the same time after the same acknowledgement, not at the same instruction; rerun it a few
 * times if the first replay passes.
 */

type Frame = Record<string, any>;
const text = (t: string) => ({ type: 'text', text: t });

const MAX_CRASH_DELAY_MS = 20;

/** The delay before the kill: from HEARTH_TEST_CRASH_DELAYS (`backend:ms,…`) when it names the backend, else random. */
function crashDelayMs(backend: BackendName): number {
  const given = process.env.HEARTH_TEST_CRASH_DELAYS;
  for (const entry of given ? given.split(',') : []) {
    const [name, ms] = entry.split(':');
    if (!name || ms === undefined || !Number.isFinite(Number(ms))) {
      throw new Error(`HEARTH_TEST_CRASH_DELAYS: "${entry}" is not backend:milliseconds (for example sqlite:13.27)`);
    }
    if (name.trim() === backend) return Number(ms);
  }
  return Math.round(Math.random() * MAX_CRASH_DELAY_MS * 100) / 100;
}

/** Where a server's data lives, so that another server process can start on it. */
interface Store {
  dataDir: string;
  databaseUrl: string | undefined;
  destroy(): Promise<void>;
}

async function freshStore(backend: BackendName): Promise<Store> {
  const dataDir = tempDataDir();
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (backend === 'sqlite') return { dataDir, databaseUrl: undefined, destroy: () => Promise.resolve(removeDir()) };
  const pg = await createPostgresDatabase();
  return {
    dataDir,
    databaseUrl: pg.url,
    destroy: async () => {
      removeDir();
      await pg.drop();
    },
  };
}

/** Every message of a conversation, oldest first, paging forward with `after`. */
async function fullHistory(url: string, token: string, conversationId: string): Promise<Frame[]> {
  const all: Frame[] = [];
  let after = 0;
  for (;;) {
    const page = await call(url, 'history', { token, params: { conversationId }, query: { after, limit: 100 } });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    all.push(...page.body.messages);
    if (!page.body.hasMore) return all;
    after = page.body.messages.at(-1).seq;
  }
}

interface SentMessage {
  clientId: string;
  conversationId: string;
  text: string;
  /** The user's token, to retry later. */
  token: string;
}

interface Ack {
  id: string;
  seq: number;
  conversationId: string;
}

/**
 * A device that sends messages back to back over one socket: up to `window` sends in flight, each with a fresh
 * clientId, round-robin over its conversations. It records every send and every answer, and stops sending when
 * the socket closes.
 */
class Sender {
  readonly sent = new Map<string, SentMessage>();
  readonly acks = new Map<string, Ack>();
  readonly errors = new Map<string, string>();
  /** Request ids answered more than once (there must be none). */
  readonly answeredTwice: string[] = [];
  /** Every message.created event this socket received. */
  readonly seen: Frame[] = [];
  closedAt: number | undefined;
  private n = 0;
  private inFlight = 0;

  constructor(
    readonly socket: RawSocket,
    private readonly token: string,
    private readonly prefix: string,
    private readonly conversationIds: string[],
    private readonly window: number,
    private readonly onAck: () => void,
  ) {
    socket.ws.on('message', (data) => this.onFrame(JSON.parse((data as Buffer).toString()) as Frame));
    socket.ws.on('close', () => (this.closedAt = performance.now()));
  }

  start(): void {
    this.fill();
  }

  /** Sends without waiting for answers, each a fresh clientId. */
  burst(count: number): void {
    for (let i = 0; i < count; i++) this.sendNext();
  }

  private fill(): void {
    while (this.inFlight < this.window && this.socket.ws.readyState === this.socket.ws.OPEN) this.sendNext();
  }

  private sendNext(): void {
    const clientId = `${this.prefix}-${this.n}`;
    const conversationId = this.conversationIds[this.n % this.conversationIds.length]!;
    const body = `${this.prefix} says ${this.n}`;
    this.n++;
    this.sent.set(clientId, { clientId, conversationId, text: body, token: this.token });
    this.inFlight++;
    this.socket.send({ type: 'message.send', rid: clientId, conversationId, clientId, content: text(body) });
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'message.created') return void this.seen.push(frame);
    if (typeof frame.rid !== 'string' || !this.sent.has(frame.rid)) return;
    if (this.acks.has(frame.rid) || this.errors.has(frame.rid)) return void this.answeredTwice.push(frame.rid);
    this.inFlight--;
    if (frame.type === 'result') {
      this.acks.set(frame.rid, { id: frame.data.id, seq: frame.data.seq, conversationId: this.sent.get(frame.rid)!.conversationId });
      this.onAck();
    } else if (frame.type === 'error') {
      this.errors.set(frame.rid, frame.code);
    }
    this.fill();
  }
}

/** Resolves once `count` acks have arrived across all senders. */
function ackCounter(count: number): { onAck: () => void; reached: Promise<void> } {
  let acks = 0;
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return {
    onAck: () => {
      if (++acks === count) resolve();
    },
    reached,
  };
}

/** Sends each message again with its clientId; resolves with each answer by clientId. */
async function resend(wsUrl: string, messages: SentMessage[]): Promise<Map<string, Frame>> {
  const byToken = new Map<string, SentMessage[]>();
  for (const m of messages) byToken.set(m.token, [...(byToken.get(m.token) ?? []), m]);
  const answers = new Map<string, Frame>();
  await Promise.all(
    [...byToken].map(async ([token, list]) => {
      const ws = await RawSocket.connect(wsUrl, token);
      const frames = await Promise.all(
        list.map((m) =>
          ws.request({ type: 'message.send', conversationId: m.conversationId, clientId: m.clientId, content: text(m.text) }, 15_000),
        ),
      );
      list.forEach((m, i) => answers.set(m.clientId, frames[i]!));
      ws.close();
      await ws.closed;
    }),
  );
  return answers;
}

describe.each(BACKENDS)('durability (%s)', (backend) => {
  describe('after kill -9 in the middle of a load of sends', () => {
    let store: Store;
    let server: ServerProcess;
    let senders: Sender[];
    let conversationIds: string[];
    let users: Array<Awaited<ReturnType<typeof signUp>>>;
    let watcher: { token: string; groupId: string; heldPts: number; gaps: number[] };
    const allSent = () => new Map(senders.flatMap((s) => [...s.sent]));
    const allAcks = () => new Map(senders.flatMap((s) => [...s.acks]));
    const historyOf = (conversationId: string) => {
      const member = conversationId === conversationIds[2] ? users[2]! : users[0]!;
      return fullHistory(server.url, member.token, conversationId);
    };

    beforeAll(async () => {
      store = await freshStore(backend);
      server = await spawnServer(store);

      // Four people, a group of all of them plus a watcher, and two direct conversations.
      users = [];
      for (let i = 0; i < 5; i++) users.push(await signUp(server.url));
      const [u0, u1, u2, u3, w] = users as [typeof users[0], typeof users[0], typeof users[0], typeof users[0], typeof users[0]];
      const group = await call(server.url, 'createConversation', {
        token: u0.token,
        body: { kind: 'group', title: 'load', memberIds: [u1.me.id, u2.me.id, u3.me.id, w.me.id] },
      });
      expect(group.status).toBe(200);
      const d01 = (await call(server.url, 'createConversation', { token: u0.token, body: { kind: 'direct', userId: u1.me.id } })).body.id;
      const d23 = (await call(server.url, 'createConversation', { token: u2.token, body: { kind: 'direct', userId: u3.me.id } })).body.id;
      // Both sides open them: either may write first (nothing exists for a peer who has not, until a first message).
      await call(server.url, 'createConversation', { token: u1.token, body: { kind: 'direct', userId: u0.me.id } });
      await call(server.url, 'createConversation', { token: u3.token, body: { kind: 'direct', userId: u2.me.id } });
      conversationIds = [group.body.id, d01, d23];

      // The watcher only reads: it applies the group's events in pts order, as a client does.
      const watcherWs = await RawSocket.connect(server.wsUrl, w.token);
      const start = await call(server.url, 'getConversation', { token: w.token, params: { conversationId: group.body.id } });
      watcher = { token: w.token, groupId: group.body.id, heldPts: start.body.pts, gaps: [] };
      watcherWs.ws.on('message', (data) => {
        const f = JSON.parse((data as Buffer).toString()) as Frame;
        if (f.type !== 'message.created' || f.conversationId !== watcher.groupId) return;
        if (f.pts === watcher.heldPts + 1) watcher.heldPts = f.pts;
        else watcher.gaps.push(f.pts);
      });

      const counter = ackCounter(500);
      const plan: Array<[typeof u0, string, string[]]> = [
        [u0, 'u0a', [group.body.id, d01]],
        [u0, 'u0b', [d01, group.body.id]],
        [u1, 'u1', [group.body.id, d01]],
        [u2, 'u2', [group.body.id, d23]],
        [u3, 'u3', [d23, group.body.id]],
      ];
      senders = [];
      for (const [user, prefix, convs] of plan) {
        senders.push(new Sender(await RawSocket.connect(server.wsUrl, user.token), user.token, prefix, convs, 64, counter.onAck));
      }
      for (const s of senders) s.start();
      await counter.reached;
      // The crash lands at an arbitrary point of the server's cycle (reading frames, committing a batch, writing
      // acks), not right after an ack went out: a random moment of the next few milliseconds of load, logged so
      // that a failure can be replayed (see the top of the file).
      const delayMs = crashDelayMs(backend);
      console.log(`durability (${backend}): SIGKILL ${delayMs} ms after the 500th ack; replay with HEARTH_TEST_CRASH_DELAYS=${backend}:${delayMs}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const exit = await server.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await Promise.all([...senders.map((s) => s.socket.closed), watcherWs.closed]);

      // The crash cut sends mid-flight: some were sent and never answered.
      const sent = allSent();
      const acks = allAcks();
      expect(acks.size).toBeGreaterThanOrEqual(500);
      expect(sent.size).toBeGreaterThan(acks.size);
      for (const s of senders) expect([...s.errors.values(), ...s.answeredTwice]).toEqual([]);

      server = await spawnServer(store);
    });

    afterAll(async () => {
      await server?.kill('SIGTERM');
      await store?.destroy();
    });

    test('every acknowledged message is in the history with the id and seq of its ack', async () => {
      const stored = new Map<string, Frame>();
      for (const id of conversationIds) for (const m of await historyOf(id)) stored.set(`${m.senderId}:${m.clientId}`, m);
      const senderOf = new Map(senders.map((s) => [s, users.find((u) => u.token === [...s.sent.values()][0]!.token)!.me.id]));
      let checked = 0;
      for (const s of senders) {
        for (const [clientId, ack] of s.acks) {
          const m = stored.get(`${senderOf.get(s)}:${clientId}`);
          expect(m, clientId).toBeDefined();
          expect({ id: m!.id, seq: m!.seq, conversationId: m!.conversationId }).toEqual(ack);
          checked++;
        }
        // What the sockets saw live was stored too.
        for (const e of s.seen) expect(stored.get(`${e.message.senderId}:${e.message.clientId}`)?.id).toBe(e.message.id);
      }
      expect(checked).toBe(allAcks().size);
    });

    test('no clientId is stored twice, nothing unsent is stored, and seqs strictly increase in every conversation', async () => {
      const sent = allSent();
      for (const id of conversationIds) {
        const history = await historyOf(id);
        expect(history.length).toBeGreaterThan(0);
        const keys = history.map((m) => `${m.senderId}:${m.clientId}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(new Set(history.map((m) => m.id)).size).toBe(history.length);
        for (const m of history) expect(sent.get(m.clientId)?.conversationId).toBe(id);
        for (let i = 1; i < history.length; i++) expect(history[i]!.seq).toBeGreaterThan(history[i - 1]!.seq);
      }
    });

    test('retrying every send with its clientId after the restart creates each message at most once', async () => {
      const sent = [...allSent().values()];
      const acks = allAcks();
      const first = await resend(server.wsUrl, sent);
      for (const m of sent) {
        const answer = first.get(m.clientId)!;
        expect(answer.type, JSON.stringify(answer)).toBe('result');
        // A send stored before the restart comes back whole (no event follows a retry); one stored now, as an ack.
        if (answer.data.message) expect(answer.data.message).toMatchObject({ id: answer.data.id, clientId: m.clientId, conversationId: m.conversationId, content: text(m.text) });
        const ack = acks.get(m.clientId);
        if (ack) {
          expect(answer.data.message).toBeDefined();
          expect({ id: answer.data.id, seq: answer.data.seq }).toEqual({ id: ack.id, seq: ack.seq });
        }
      }
      // A second retry of the sends that were never acknowledged finds what the first one stored.
      const unacked = sent.filter((m) => !acks.has(m.clientId));
      const second = await resend(server.wsUrl, unacked);
      for (const m of unacked) expect(second.get(m.clientId)!.data.id).toBe(first.get(m.clientId)!.data.id);

      // Now every send is stored exactly once, as its retry answered.
      const stored = (await Promise.all(conversationIds.map(historyOf))).flat();
      expect(stored.length).toBe(sent.length);
      expect(new Set(stored.map((m) => m.clientId))).toEqual(new Set(sent.map((m) => m.clientId)));
      for (const m of stored) expect(first.get(m.clientId)!.data.id).toBe(m.id);
    });

    test('a client resuming with POST /api/sync from the pts it held gets exactly the events it missed', async () => {
      expect(watcher.gaps).toEqual([]);
      const history = await historyOf(watcher.groupId);
      const missed = history.filter((m) => m.seq > watcher.heldPts);
      const res = await call(server.url, 'sync', { token: watcher.token, body: { conversations: [{ id: watcher.groupId, pts: watcher.heldPts }] } });
      expect(res.status).toBe(200);
      expect(res.body.removed).toEqual([]);
      const entries = res.body.conversations as Frame[];
      if (missed.length === 0) {
        expect(entries).toEqual([]);
        return;
      }
      expect(entries).toHaveLength(1);
      const [entry] = entries;
      expect(entry!.refetch).toBe(false);
      expect(entry!.conversation.pts).toBe(history.at(-1)!.seq);
      // Positions are gapless: the crash lost no position that a later event skipped.
      expect(entry!.events.map((e: Frame) => e.pts)).toEqual(missed.map((_, i) => watcher.heldPts + 1 + i));
      expect(entry!.events.map((e: Frame) => [e.type, e.message.id, e.message.seq])).toEqual(
        missed.map((m) => ['message.created', m.id, m.seq]),
      );
      // Holding the latest pts, there is nothing more to fetch.
      const again = await call(server.url, 'sync', {
        token: watcher.token,
        body: { conversations: [{ id: watcher.groupId, pts: entry!.conversation.pts }], cursor: res.body.cursor },
      });
      expect(again.status).toBe(200);
      for (const c of again.body.conversations as Frame[]) expect(c.events).toEqual([]);
    });
  });

  describe('graceful restart with SIGTERM', () => {
    let store: Store;
    let server: ServerProcess;
    let senders: Sender[];
    let exit: { code: number | null; signal: NodeJS.Signals | null; at: number };
    let closes: Array<{ code: number; reason: string }>;
    let token: string;
    let conversationId: string;

    beforeAll(async () => {
      store = await freshStore(backend);
      server = await spawnServer(store);
      const ana = await signUp(server.url);
      const ben = await signUp(server.url);
      token = ana.token;
      conversationId = (await call(server.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } })).body.id;
      await call(server.url, 'createConversation', { token: ben.token, body: { kind: 'direct', userId: ana.me.id } });
      const counter = ackCounter(150);
      senders = [
        new Sender(await RawSocket.connect(server.wsUrl, ana.token), ana.token, 'ana', [conversationId], 8, counter.onAck),
        new Sender(await RawSocket.connect(server.wsUrl, ben.token), ben.token, 'ben', [conversationId], 8, counter.onAck),
      ];
      for (const s of senders) s.start();
      await counter.reached;
      exit = await server.kill('SIGTERM');
      closes = await Promise.all(senders.map((s) => s.socket.closed));
    });

    afterAll(async () => {
      await server?.kill('SIGTERM');
      await store?.destroy();
    });

    test('SIGTERM closes every socket with GOING_AWAY before the process exits with status 0', () => {
      expect(exit).toMatchObject({ code: 0, signal: null });
      for (const c of closes) expect(c.code).toBe(1001);
      for (const s of senders) expect(s.closedAt).toBeLessThanOrEqual(exit.at);
      const messages = server.logs.map((l) => l.msg);
      expect(messages).toContain('shutting down');
      expect(messages.at(-1)).toBe('stopped');
      expect(server.stderr()).not.toMatch(/error/i);
    });

    test('every message acknowledged before SIGTERM is there after the restart; refused ones are not', async () => {
      for (const s of senders) {
        expect(s.answeredTwice).toEqual([]);
        for (const code of s.errors.values()) expect(code).toBe('SERVER_SHUTTING_DOWN');
      }
      server = await spawnServer(store);
      const history = await fullHistory(server.url, token, conversationId);
      const byClientId = new Map(history.map((m) => [m.clientId, m]));
      expect(byClientId.size).toBe(history.length);
      for (const s of senders) {
        for (const [clientId, ack] of s.acks) expect(byClientId.get(clientId)).toMatchObject(ack);
        for (const clientId of s.errors.keys()) expect(byClientId.has(clientId)).toBe(false);
      }
      const acked = senders.reduce((n, s) => n + s.acks.size, 0);
      // Sends in flight when the close frame arrived may or may not have been stored; nothing else is.
      expect(history.length).toBeGreaterThanOrEqual(acked);
      const sent = new Set(senders.flatMap((s) => [...s.sent.keys()]));
      for (const m of history) expect(sent.has(m.clientId)).toBe(true);
      for (let i = 1; i < history.length; i++) expect(history[i]!.seq).toBeGreaterThan(history[i - 1]!.seq);
    });
  });

  describe('in-process restart', () => {
    let t: TestServer | undefined;
    afterAll(async () => t?.close());

    test('stop() then start again on the same data leaves history, unread counts and receipts unchanged', async () => {
      t = await startTestServer(backend);
      const ana = await signUp(t.url);
      const ben = await signUp(t.url);
      const cid = await signUp(t.url);
      const groupId = (
        await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'group', title: 'keep', memberIds: [ben.me.id, cid.me.id] } })
      ).body.id;
      const directId = (await call(t.url, 'createConversation', { token: ben.token, body: { kind: 'direct', userId: cid.me.id } })).body.id;
      const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
      const benWs = await RawSocket.connect(t.wsUrl, ben.token);
      const seqs: number[] = [];
      for (let i = 0; i < 6; i++) {
        const ack = await anaWs.request({ type: 'message.send', conversationId: groupId, clientId: `a${i}`, content: text(`hello ${i}`) });
        seqs.push(ack.data.seq);
      }
      const mention = await benWs.request({
        type: 'message.send',
        conversationId: groupId,
        clientId: 'b0',
        content: { type: 'text', text: '@cid look', entities: [{ type: 'mention', offset: 0, length: 4, userId: cid.me.id }] },
      });
      await benWs.request({ type: 'message.send', conversationId: directId, clientId: 'b1', content: text('psst') });
      const mentionCid = [{ type: 'mention', offset: 0, length: 4, userId: cid.me.id }];
      await benWs.request({
        type: 'message.edit',
        conversationId: groupId,
        messageId: mention.data.id,
        content: { type: 'text', text: '@cid look here', entities: mentionCid },
      });
      await benWs.request({ type: 'reaction.add', conversationId: groupId, messageId: mention.data.id, emoji: '👍' });
      const firstId = (await call(t.url, 'history', { token: ana.token, params: { conversationId: groupId } })).body.messages[0].id;
      await anaWs.request({ type: 'message.delete', conversationId: groupId, messageId: firstId });
      expect((await call(t.url, 'updateReceipt', { token: ben.token, params: { conversationId: groupId }, body: { readSeq: seqs[2] } })).status).toBe(200);
      expect((await call(t.url, 'updateReceipt', { token: cid.token, params: { conversationId: groupId }, body: { deliveredSeq: seqs[4] } })).status).toBe(200);
      anaWs.close();
      benWs.close();
      await Promise.all([anaWs.closed, benWs.closed]);

      const snapshot = async () => {
        const out: Record<string, unknown> = {};
        for (const [name, user] of Object.entries({ ana, ben, cid })) {
          const list = await call(t!.url, 'listConversations', { token: user.token });
          expect(list.status).toBe(200);
          out[`${name}:conversations`] = list.body.conversations;
          for (const c of list.body.conversations) {
            out[`${name}:history:${c.id}`] = (await call(t!.url, 'history', { token: user.token, params: { conversationId: c.id } })).body;
            out[`${name}:members:${c.id}`] = (await call(t!.url, 'listMembers', { token: user.token, params: { conversationId: c.id } })).body;
          }
        }
        return out;
      };
      const before = await snapshot();
      // The state is the one built above, not empty.
      const cidGroup = (before['cid:conversations'] as Frame[]).find((c) => c.id === groupId)!;
      expect(cidGroup.me).toMatchObject({ deliveredSeq: seqs[4], unreadCount: 6, unreadMentionCount: 1 });
      const benGroup = (before['ben:conversations'] as Frame[]).find((c) => c.id === groupId)!;
      expect(benGroup.me.readSeq).toBe(seqs[2]);

      await t.stop();
      t = await startTestServer(backend, {}, { reuse: t });
      expect(await snapshot()).toEqual(before);
    });
  });
});
