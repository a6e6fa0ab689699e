import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';

/** A web site on loopback for the link preview tests: pages good and bad, and how often each was asked for. */
export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Requests seen for a path (query string ignored). */
  hits(path: string): number;
  close(): Promise<void>;
}

const OG_PAGE = `<!doctype html><html><head>
<meta charset="utf-8"><title>Fallback title</title>
<meta property="og:title" content="The &amp; Hearth story">
<meta property="og:description" content="How a chat server reads a page, safely.">
<meta property="og:site_name" content="Example News">
<meta property="og:image" content="/image.png">
</head><body><p>Hello</p></body></html>`;

const OTHER_PAGE = `<html><head><meta property="og:title" content="Another page"><meta name="description" content="Second."></head></html>`;
const PLAIN_PAGE = `<html><head><title>Plain &amp; simple</title><meta name="description" content="Only a title and a description"></head></html>`;
// windows-1252 with a broken document: unclosed tags, a stray end tag, an attribute without quotes.
const LATIN1_PAGE = Buffer.from(`<html><head><meta charset=windows-1252><title>Caf\xe9 cr\xe8me</title></b><meta name=description content="d\xe9j\xe0 vu"><body><div><p>unclosed`, 'latin1');

/** A PNG that declares 50 000 × 50 000 pixels in a few hundred bytes: a decompression bomb for image decoders. */
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(50_000, 0);
  header.writeUInt32BE(50_000, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const withImage = (image: string) =>
  `<html><head><meta property="og:title" content="Image ${image}"><meta property="og:image" content="${image}"></head></html>`;

/** Starts the site on an ephemeral loopback port. */
export async function startPageServer(): Promise<PageServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  // 20 MB of HTML in about 20 KB: the cap applies to what it inflates to.
  const bomb = gzipSync(Buffer.concat([Buffer.from('<html><head><title>Bomb</title></head><body>'), Buffer.alloc(20 * 1024 * 1024, 0x20)]));
  const png = await sharp({ create: { width: 1200, height: 630, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
  let port = 0;
  const html = (res: http.ServerResponse, body: string | Buffer, type = 'text/html; charset=utf-8') => {
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    switch (path) {
      case '/og':
      case '/og2':
        return html(res, OG_PAGE);
      case '/other':
        return html(res, OTHER_PAGE);
      case '/plain':
        return html(res, PLAIN_PAGE);
      case '/latin1':
        return html(res, LATIN1_PAGE, 'text/html');
      case '/empty':
        return html(res, '<html><body>nothing to say</body></html>');
      case '/with-bomb':
        return html(res, withImage('/bomb.png'));
      case '/with-svg':
        return html(res, withImage('/image.svg'));
      case '/with-fake':
        return html(res, withImage('/fake.png'));
      case '/bomb.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(pngBomb());
      case '/image.svg':
        res.writeHead(200, { 'content-type': 'image/svg+xml' });
        return res.end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
      case '/fake.png':
        // Claims to be a PNG; is HTML.
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end('<html>not an image</html>');
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(png);
      case '/gzip-bomb':
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': bomb.length });
        return res.end(bomb);
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"title":"not a page"}');
      case '/big': {
        // 2 MB of HTML without Content-Length: the cap must stop the read, not the header.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>Big</title></head><body>');
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 32; i++) res.write(chunk);
        return res.end('</body></html>');
      }
      case '/slow': {
        // Headers at once, then a byte every 200 ms, forever.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>Slow');
        const timer = setInterval(() => res.write('.'), 200);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/to-localhost':
        res.writeHead(302, { location: `http://localhost:${port}/og` });
        return res.end();
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('not found');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: (path) => counts.get(path) ?? 0,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
