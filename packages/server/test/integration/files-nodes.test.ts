import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { group, users } from '../support/fixtures.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call } from '../support/raw.js';
import { REDIS_AVAILABLE, REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';
import { createPostgresDatabase, tempDataDir, type TestServer } from '../support/server.js';
import { createUpload, headUpload, patchUpload, startS3 } from '../support/uploads.js';

/**
 * Two `hearth serve` processes sharing PostgreSQL, Redis and an S3 bucket (s3rver): an upload may continue on
 * whichever node the next request reaches, and what one node stored or signed, the other serves.
 */
describe.skipIf(!REDIS_AVAILABLE || !BACKENDS.includes('postgres'))('files on several nodes', () => {
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let dropDatabase: (() => Promise<void>) | undefined;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    s3 = await startS3();
    const database = await createPostgresDatabase();
    dropDatabase = () => database.drop();
    const env = {
      HEARTH_REDIS_URL: REDIS_URL,
      HEARTH_REDIS_PREFIX: uniqueRedisPrefix(),
      HEARTH_STORAGE: 's3',
      HEARTH_S3_ENDPOINT: s3.endpoint,
      HEARTH_S3_BUCKET: s3.bucket,
      HEARTH_S3_ACCESS_KEY_ID: 'S3RVER',
      HEARTH_S3_SECRET_ACCESS_KEY: 'S3RVER',
      HEARTH_S3_FORCE_PATH_STYLE: 'true',
    };
    nodeA = await spawnServer({ dataDir: tempDataDir(), databaseUrl: database.url, env });
    nodeB = await spawnServer({ dataDir: tempDataDir(), databaseUrl: database.url, env });
    a = { url: nodeA.url } as TestServer;
    b = { url: nodeB.url } as TestServer;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([nodeA?.kill('SIGTERM'), nodeB?.kill('SIGTERM')]);
    await dropDatabase?.();
    await s3?.close();
  });

  test('an upload begun on one node is resumed and finished on the other, and downloads from either', async () => {
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const bytes = Buffer.from('a line of the minutes\n'.repeat(10_000));
    const created = await createUpload(a, ana, bytes.length, { conversationId, filename: 'minutes.txt' });
    expect(created.res.status).toBe(201);
    expect((await patchUpload(a, ana, created.path, 0, bytes.subarray(0, 100_000))).status).toBe(204);
    expect((await headUpload(b, ana, created.path)).headers.get('upload-offset')).toBe('100000');
    const last = await patchUpload(b, ana, created.path, 100_000, bytes.subarray(100_000));
    expect(last.status).toBe(200);
    const file = last.body as { id: string; sha256: string };
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    for (const node of [a, b]) {
      const got = await fetch(new URL(`/api/files/${file.id}`, node.url), { headers: { authorization: `Bearer ${ben.token}` } });
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const link = await call(a.url, 'fileLink', { token: ana.token, params: { fileId: file.id } });
    expect((await fetch(new URL(link.body.url, b.url))).status).toBe(200);
  });

  test('two nodes appending at the same offset at once: one part counts, the other is refused with 409', async () => {
    const [ana] = await users(a, 1);
    const conversationId = await group(a, ana, []);
    const size = 2_000_000;
    const created = await createUpload(a, ana, size, { conversationId, filename: 'race.txt' });
    const bodies = [Buffer.alloc(size, 'a'), Buffer.alloc(size, 'b')];
    const answers = await Promise.all([patchUpload(a, ana, created.path, 0, bodies[0]!), patchUpload(b, ana, created.path, 0, bodies[1]!)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = answers.findIndex((r) => r.status === 200);
    expect((answers[winner]!.body as { sha256: string }).sha256).toBe(createHash('sha256').update(bodies[winner]!).digest('hex'));
    expect((answers[1 - winner]!.body as { code: string }).code).toBe('VALIDATION_FAILED');
  });
});
