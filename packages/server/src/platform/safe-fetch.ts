import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { addressLiteral, isPublicAddress } from './address-policy.js';

/*
 * An HTTP(S) GET of an address a user supplied, which must not be turned against the server's own network (SSRF).
 *
 * - Only http and https, on the allowed ports (by default 80, 443, 8080 and 8443), without credentials in the URL.
 * - The address is checked after DNS resolution, on the address actually connected to: the request's `lookup` resolves
 *   the name, keeps the public addresses only (`address-policy.ts`), and hands those to the socket, so a DNS answer
 *   that changes between a check and the connection (rebinding) cannot win. An IP literal is checked before the
 *   request (Node does not call `lookup` for one).
 * - Every redirect is a new request through the same checks, at most `maxRedirects` of them.
 * - One deadline for everything (redirects, headers, body) and a cap on the bytes read, after decompression.
 *
 * `allowHosts` names hosts (as written in the URL) exempt from the address and port checks: for tests, which serve
 * pages on loopback, and for an intranet that wants its own sites previewed. Never for a public server.
 */

/** Why a fetch gave nothing. */
export type FetchFailure =
  | 'bad-url'
  | 'blocked-address'
  | 'blocked-port'
  | 'too-many-redirects'
  | 'too-large'
  | 'timeout'
  | 'bad-status'
  | 'unsupported-type'
  | 'network';

/** A fetch that was refused or failed; `reason` says why, in a word that can be stored and logged. */
export class FetchRefused extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FetchRefused';
  }
}

export interface SafeFetchOptions {
  /** Hosts (URL hostnames, lower case; IPv6 without brackets) exempt from the address and port checks. */
  allowHosts: ReadonlySet<string>;
  /** The ports fetched from hosts that are not in `allowHosts`. */
  ports: ReadonlySet<number>;
  /** The deadline of the whole fetch, redirects included. */
  timeoutMs: number;
  /** The largest body read, after decompression; larger fails with `too-large`. */
  maxBytes: number;
  maxRedirects: number;
  /** The response's media type (lower case, without parameters) is one the caller can use. */
  accepts(mediaType: string): boolean;
  /** The Accept header sent. */
  accept: string;
  userAgent: string;
  /** Aborts the fetch from outside (a server shutting down); it then fails with `timeout`. */
  signal?: AbortSignal;
}

export interface FetchedBody {
  /** The address the body came from, after redirects. */
  url: string;
  /** Lower case, without parameters: `text/html`. */
  mediaType: string;
  /** The `charset` parameter of Content-Type, when there was one. */
  charset: string | undefined;
  body: Buffer;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };
/** The ports a link may name, unless configured otherwise: the web's. */
export const DEFAULT_PORTS_ALLOWED: readonly number[] = [80, 443, 8080, 8443];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches `address` under the rules above. Rejects with FetchRefused, never with anything else. */
export async function safeFetch(address: string, options: SafeFetchOptions): Promise<FetchedBody> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let url = checkUrl(address, options);
  for (let redirects = 0; ; redirects++) {
    const res = await get(url, options, signal);
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode ?? 0) && location !== undefined) {
      res.destroy();
      if (redirects >= options.maxRedirects) throw new FetchRefused('too-many-redirects', `more than ${options.maxRedirects} redirects`);
      url = checkUrl(resolve(location, url), options);
      continue;
    }
    return read(res, url, options, signal);
  }
}

function resolve(location: string, base: URL): string {
  try {
    return new URL(location, base).toString();
  } catch {
    throw new FetchRefused('bad-url', 'the redirect location is not an address');
  }
}

/** The URL if its scheme, credentials, port and (for an IP literal) address may be fetched. */
function checkUrl(address: string, options: SafeFetchOptions): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new FetchRefused('bad-url', 'not an address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused('bad-url', `scheme ${url.protocol} is not fetched`);
  if (url.username !== '' || url.password !== '') throw new FetchRefused('bad-url', 'addresses with credentials are not fetched');
  if (allowed(url.hostname, options)) return url;
  const literal = addressLiteral(url.hostname);
  if (literal !== undefined && !isPublicAddress(literal)) throw new FetchRefused('blocked-address', `${literal} is not a public address`);
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol]! : Number(url.port);
  if (!options.ports.has(port)) throw new FetchRefused('blocked-port', `port ${port} is not fetched`);
  return url;
}

function allowed(hostname: string, options: SafeFetchOptions): boolean {
  return options.allowHosts.has((addressLiteral(hostname) ?? hostname).toLowerCase());
}

/**
 * A `lookup` for the request's socket: resolves the name and passes on its public addresses only, so that the
 * socket connects to an address that was checked (no second resolution happens after this one).
 */
function publicLookup(exempt: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const usable = exempt ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      const first = usable[0];
      if (!first) return callback(new FetchRefused('blocked-address', `${hostname} resolves to no public address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'GET',
      // A connection of its own: a pooled socket would skip the lookup, and with it the check.
      agent: false,
      lookup: publicLookup(allowed(url.hostname, options)),
      signal,
      headers: { accept: options.accept, 'accept-encoding': 'gzip, deflate, br', 'user-agent': options.userAgent },
    });
    req.on('response', resolvePromise);
    req.on('error', (err) => reject(failureOf(err, signal)));
    req.end();
  });
}

function failureOf(err: unknown, signal: AbortSignal): FetchRefused {
  if (err instanceof FetchRefused) return err;
  if (signal.aborted) return new FetchRefused('timeout', 'the page took too long');
  return new FetchRefused('network', err instanceof Error ? err.message : 'network error');
}

async function read(res: IncomingMessage, url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<FetchedBody> {
  const status = res.statusCode ?? 0;
  const [type = '', ...params] = String(res.headers['content-type'] ?? '').split(';');
  const mediaType = type.trim().toLowerCase();
  try {
    if (status < 200 || status > 299) throw new FetchRefused('bad-status', `status ${status}`);
    if (!options.accepts(mediaType)) throw new FetchRefused('unsupported-type', `${mediaType || 'no type'} is not read`);
    if (Number(res.headers['content-length'] ?? 0) > options.maxBytes) throw new FetchRefused('too-large', `over ${options.maxBytes} bytes`);
    const body = await collect(decoded(res), options.maxBytes);
    const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1]).find((c) => c !== undefined);
    return { url: url.toString(), mediaType, charset, body };
  } catch (err) {
    throw failureOf(err, signal);
  } finally {
    res.destroy();
  }
}

function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/** Reads a stream whole, failing with `too-large` as soon as it passes `maxBytes` (a decompression bomb included). */
async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new FetchRefused('too-large', `over ${maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}
