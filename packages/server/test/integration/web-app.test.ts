import fs from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

const SCRIPT = `export const greeting = '${'hello '.repeat(200)}';`;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with the given headers, its body as sent (no decoding, unlike fetch). */
function rawGet(t: TestServer, pathname: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    get(new URL(pathname, t.url), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('serving the built web app', () => {
  let t: TestServer;
  let webRoot: string;

  beforeAll(async () => {
    // A build as Vite writes it: hashed assets, each with its brotli and gzip copies.
    webRoot = tempDataDir();
    fs.mkdirSync(path.join(webRoot, 'assets'));
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Hearth</title><script type="module" src="/assets/index-abc123.js"></script>');
    fs.writeFileSync(path.join(webRoot, 'robots.txt'), 'User-agent: *\nDisallow:\n');
    const script = path.join(webRoot, 'assets', 'index-abc123.js');
    fs.writeFileSync(script, SCRIPT);
    fs.writeFileSync(`${script}.br`, brotliCompressSync(SCRIPT));
    fs.writeFileSync(`${script}.gz`, gzipSync(SCRIPT));
    t = await startTestServer('sqlite', { webRoot });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  test('a browser that accepts brotli gets the brotli copy of a script, with its JavaScript type', async () => {
    const res = await rawGet(t, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT);
  });

  test('a client that accepts only gzip gets the gzip copy, and one that accepts nothing the plain file', async () => {
    expect((await rawGet(t, '/assets/index-abc123.js', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
    const plain = await rawGet(t, '/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  test('hashed assets are cached for a year as immutable; index.html, app routes and robots.txt are revalidated', async () => {
    expect((await rawGet(t, '/assets/index-abc123.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const pathname of ['/', '/c/some-conversation', '/robots.txt']) {
      const res = await rawGet(t, pathname);
      expect(res.status, pathname).toBe(200);
      expect(res.headers['cache-control'], pathname).toBe('no-cache');
    }
  });

  test('an asset of another build is a 404, not the app shell', async () => {
    const res = await rawGet(t, '/assets/index-gone00.js');
    expect(res.status).toBe(404);
    expect(res.headers['cache-control'] ?? '').not.toMatch(/immutable/);
  });
});
