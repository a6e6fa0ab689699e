/**
 * A child of the bench that holds idle sockets for nodes-idle. One process may open at most its hard limit of
 * files (20,000 on the machine this was written on), so 50,000 sockets need several of these. Driven over IPC:
 * `connect` (the sockets to open) → `connected`; `status` → `status`; `close` closes them all and exits.
 */
import { BenchClient, mapLimit } from './clients.js';
import { ensureOpenFiles } from './server-process.js';

/** One socket to open: whose token, to which node, from which source address. */
export interface IdleJob {
  index: number;
  userId: string;
  token: string;
  wsUrl: string;
  localAddress: string;
}

export type WorkerRequest = { type: 'connect'; jobs: IdleJob[]; concurrency: number } | { type: 'status' } | { type: 'close' };

export type WorkerReply =
  | { type: 'connected'; count: number; ms: number; error?: string }
  | { type: 'status'; open: number; closedUnexpectedly: number };

const clients: BenchClient[] = [];
const reply = (m: WorkerReply) => process.send!(m);

async function connect(jobs: IdleJob[], concurrency: number): Promise<void> {
  ensureOpenFiles('self', jobs.length + 256);
  const started = performance.now();
  try {
    await mapLimit(jobs, concurrency, async (job) => {
      const client = new BenchClient({ index: job.index, userId: job.userId, token: job.token }, undefined);
      clients.push(client);
      await client.connect(job.wsUrl, 60_000, job.localAddress);
    });
    reply({ type: 'connected', count: jobs.length, ms: performance.now() - started });
  } catch (err) {
    reply({ type: 'connected', count: 0, ms: performance.now() - started, error: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (m: WorkerRequest) => {
  switch (m.type) {
    case 'connect':
      void connect(m.jobs, m.concurrency);
      break;
    case 'status':
      reply({ type: 'status', open: clients.filter((c) => c.ws?.readyState === 1).length, closedUnexpectedly: clients.filter((c) => c.closedUnexpectedly).length });
      break;
    case 'close':
      for (const c of clients) c.close();
      setTimeout(() => process.exit(0), 200);
      break;
  }
});
// The bench gone (killed or crashed): nothing is left holding sockets.
process.on('disconnect', () => process.exit(0));
