import pg from 'pg';
import { loadConfig } from '@hearth/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { clientId, group, MANY_SIGNUPS, text, users, type Account } from '../support/fixtures.js';
import { call } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Two server processes' worth of writers (two servers in this process, each with its own write queue and pool)
 * on one PostgreSQL database, as several nodes will be: each conversation's order and each clientId's
 * idempotency hold, and transactions that lock several conversations in opposite orders do not deadlock for
 * good (PostgreSQL's deadlock detector aborts one, which is retried).
 */
describe.runIf(BACKENDS.includes('postgres'))('concurrent writers on one PostgreSQL database', () => {
  const BUDGETS = { ...MANY_SIGNUPS.rateLimits, sendPerSecond: 100_000, sendBurst: 100_000 };
  /** Each node's PostgreSQL pool: small, so that the writers contend for connections too. */
  const POOL = 3;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer('postgres', { rateLimits: BUDGETS, databasePoolSize: POOL });
    b = await startTestServer('postgres', { rateLimits: BUDGETS, databasePoolSize: POOL }, { reuse: a });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.close();
  });

  const sendVia = (node: TestServer, who: Account, conversationId: string, id: string, words: string) =>
    call<any>(node.url, 'sendMessage', { token: who.token, params: { conversationId }, body: { clientId: id, content: text(words) } });
  const history = async (who: Account, conversationId: string): Promise<any[]> => {
    const res = await call<any>(a.url, 'history', { token: who.token, params: { conversationId }, query: { limit: 100 } });
    expect(res.status).toBe(200);
    return res.body.messages;
  };

  test('sends through both nodes at once get one gapless order, the same one everywhere', async () => {
    const [ana, ben, cat] = await users(a, 3);
    const conversationId = await group(a, ana, [ben, cat]);
    const writers = [ana, ben, cat];
    const PER_NODE = 45;
    const answers = await Promise.all(
      [a, b].flatMap((node, n) =>
        Array.from({ length: PER_NODE }, (_, i) => sendVia(node, writers[i % 3]!, conversationId, `n${n}m${i}`, `node ${n} message ${i}`)),
      ),
    );
    for (const res of answers) expect(res.status).toBe(200);
    const seqs = answers.map((res) => res.body.seq as number).sort((x, y) => x - y);
    const first = seqs[0]!;
    expect(seqs).toEqual(Array.from({ length: 2 * PER_NODE }, (_, i) => first + i));
    const stored = (await history(ben, conversationId)).filter((m) => m.content?.type === 'text');
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(2 * PER_NODE);
  });

  test('the same clientId sent through both nodes at once stores one message, and both answers are it', async () => {
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const ids = Array.from({ length: 20 }, () => clientId());
    const answers = await Promise.all(ids.flatMap((id) => [sendVia(a, ana, conversationId, id, 'once'), sendVia(b, ana, conversationId, id, 'once')]));
    for (const res of answers) expect(res.status).toBe(200);
    for (let i = 0; i < ids.length; i++) expect(answers[2 * i]!.body.id).toBe(answers[2 * i + 1]!.body.id);
    const stored = (await history(ben, conversationId)).filter((m) => m.content?.type === 'text');
    expect(stored.map((m) => m.clientId).sort()).toEqual([...ids].sort());
  });

  test('forwards that lock the same conversations in opposite orders on the two nodes all complete', async () => {
    const [ana, ben] = await users(a, 2);
    const source = await group(a, ana, [ben]);
    const original = (await sendVia(a, ben, source, clientId(), 'pass it on')).body;
    const one = await group(a, ana, [ben], 'one');
    const two = await group(a, ana, [ben], 'two');
    const targets = (ids: string[]) => ids.map((conversationId) => ({ type: 'conversation', conversationId }));
    const forwardVia = (node: TestServer, order: string[]) =>
      call<any>(node.url, 'forwardMany', { token: ana.token, body: { clientId: clientId(), from: { conversationId: source, messageId: original.id }, targets: targets(order) } });
    const ROUNDS = 20;
    const answers = await Promise.all(Array.from({ length: ROUNDS }, () => [forwardVia(a, [one, two]), forwardVia(b, [two, one])]).flat());
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: any) => r.error)).toEqual([null, null]);
    }
    for (const id of [one, two]) {
      const copies = (await history(ben, id)).filter((m) => m.forwarded);
      expect(copies).toHaveLength(2 * ROUNDS);
      expect(copies.map((m) => m.seq)).toEqual([...copies.map((m) => m.seq)].sort((x, y) => x - y));
    }
  });

  test('the pool size is configuration: two nodes under load hold no more than their pools between them', async () => {
    expect(loadConfig({ HEARTH_DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    expect(loadConfig({}).databasePoolSize).toBe(10);
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const admin = new pg.Client({ connectionString: a.databaseUrl });
    await admin.connect();
    try {
      const name = new URL(a.databaseUrl!).pathname.slice(1);
      const busy = Promise.all([a, b].flatMap((node) => Array.from({ length: 40 }, (_, i) => sendVia(node, ana, conversationId, clientId(), `load ${i}`))));
      const counts: number[] = [];
      let done = false;
      void busy.finally(() => (done = true));
      while (!done) {
        const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        counts.push(Number(rows[0]!.n));
      }
      for (const res of await busy) expect(res.status).toBe(200);
      expect(Math.max(...counts)).toBeLessThanOrEqual(2 * POOL);
    } finally {
      await admin.end();
    }
  });
});
