import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { createConversation, createUsers, type BenchUser } from './clients.js';
import { log, round } from './log.js';
import type { BenchOptions, ScenarioResult } from './scenarios.js';
import type { ServerProcess } from './server-process.js';

const CHUNK = 1024 * 1024;

/** `bytes` of incompressible filler, made a MiB at a time from one random block: nothing held whole. */
function filler(bytes: number): Readable {
  const block = randomBytes(CHUNK);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(n === CHUNK ? block : block.subarray(0, n));
    },
  });
}

function request(url: string, method: string, headers: Record<string, string>, body?: Readable): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

/** One tus upload of `bytes` in a single streamed PATCH; resolves once the server has answered with the file. */
async function uploadOnce(baseUrl: string, user: BenchUser, conversationId: string, bytes: number): Promise<void> {
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const auth = { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0' };
  const created = await request(`${baseUrl}/api/uploads`, 'POST', {
    ...auth,
    'upload-length': String(bytes),
    'upload-metadata': `conversationId ${b64(conversationId)},filename ${b64('bench.bin')}`,
  });
  if (created.status !== 201) throw new Error(`upload creation → ${created.status}: ${created.text.slice(0, 300)}`);
  const done = await request(
    `${baseUrl}${String(created.headers.location)}`,
    'PATCH',
    { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(bytes) },
    filler(bytes),
  );
  if (done.status !== 200) throw new Error(`upload → ${done.status}: ${done.text.slice(0, 300)}`);
}

/** Every uploader at once, each with one file; the wall time and the server's peak RSS (sampled every 100 ms). */
async function round_(server: ServerProcess, users: BenchUser[], conversations: string[], bytes: number) {
  let peakKb = server.rssKb();
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, server.rssKb())), 100);
  const started = performance.now();
  try {
    await Promise.all(users.map((u, i) => uploadOnce(server.url, u, conversations[i]!, bytes)));
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, peakKb: Math.max(peakKb, server.rssKb()) };
}

/**
 * `uploads`: N clients upload a file of `--upload-mb` MiB each at once through tus (one streamed PATCH each, on the
 * default disk storage), after a round of files a tenth that size. Reports throughput and the server's peak RSS in
 * both rounds: the floor is that memory does not grow with file size (bytes stream to storage, never whole in memory).
 */
export async function uploads(opts: BenchOptions): Promise<ScenarioResult> {
  const server = await opts.startServer();
  try {
    const users = await createUsers(server.url, opts.uploaders);
    const conversations = await Promise.all(users.map((u) => createConversation(server.url, u, { kind: 'group', title: 'uploads', memberIds: [] })));
    const large = Math.round(opts.uploadMb * CHUNK);
    const small = Math.max(CHUNK, Math.round(large / 10));
    const baselineKb = server.rssKb();
    log(`uploads: ${users.length} clients × ${round(small / CHUNK, 1)} MiB, then × ${round(large / CHUNK, 1)} MiB`);
    const first = await round_(server, users, conversations, small);
    const second = await round_(server, users, conversations, large);
    const growthMb = round((second.peakKb - first.peakKb) / 1024, 1);
    const mbPerS = round((users.length * large) / CHUNK / second.seconds, 1);
    return {
      scenario: 'uploads',
      clients: users.length,
      fileMb: round(large / CHUNK, 1),
      durationS: round(second.seconds, 1),
      throughputMbPerS: mbPerS,
      smallFileMb: round(small / CHUNK, 1),
      smallThroughputMbPerS: round((users.length * small) / CHUNK / first.seconds, 1),
      serverRssBaselineMb: round(baselineKb / 1024, 1),
      serverRssPeakSmallMb: round(first.peakKb / 1024, 1),
      serverRssPeakMb: round(second.peakKb / 1024, 1),
      rssGrowthWithFileSizeMb: growthMb,
      // Ten times larger files may not cost more than 64 MiB more at the peak (allocator noise, sharp, buffers).
      floor: { metric: 'rssGrowthWithFileSizeMb', limit: '< 64', value: growthMb, met: growthMb < 64 },
      lost: 0,
      duplicates: 0,
    };
  } finally {
    await server.stop();
  }
}

/** The upload scenarios, beside SCENARIOS (run.ts puts them together). */
export const UPLOAD_SCENARIOS: Record<string, (opts: BenchOptions) => Promise<ScenarioResult>> = { uploads };
