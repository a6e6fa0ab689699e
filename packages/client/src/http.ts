import {
  api,
  buildPath,
  ErrorBody,
  SAME_ORIGIN_HEADER,
  type BodyOf,
  type EndpointName,
  type ParamsOf,
  type QueryOf,
  type ResponseOf,
} from '@hearth/protocol';
import { HearthError } from './errors.js';

/**
 * The part of `fetch` the SDK uses; pass one to add headers, a proxy agent or a test double. A rejection is
 * reported as NETWORK_ERROR.
 * @example const fetchLike: FetchLike = (url, init) => fetch(url, { ...init, credentials: 'omit' });
 */
export type FetchLike = (
  input: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/**
 * What one REST call sends, typed by endpoint: path parameters, query fields and the JSON body.
 * @example const input: CallInput<'history'> = { params: { conversationId }, query: { before: 120, limit: 50 } };
 */
export interface CallInput<N extends EndpointName> {
  params?: ParamsOf<N>;
  query?: QueryOf<N>;
  body?: BodyOf<N>;
}

/**
 * REST calls through the protocol's endpoint table: the path, method and schemas come from `api`, and every
 * response is validated against the endpoint's response schema.
 * @example const http = new HttpTransport('https://chat.example.com', fetch.bind(globalThis));
 */
export class HttpTransport {
  /**
   * The bearer token sent with every call, or undefined to send none (endpoints that need one then answer
   * UNAUTHENTICATED). Sign-in sets it; the end of a session clears it.
   * @example http.token = result.token; // the AuthResult of a sign-in
   */
  token: string | undefined;

  /**
   * `baseUrl` is the server's origin, with or without a trailing slash. Never throws.
   * @example new HttpTransport('http://127.0.0.1:8080/', fetchImpl)
   */
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
    /** A call without an answer by then fails with TIMEOUT (a stalled network would otherwise hang it forever). */
    private readonly timeoutMs = 30_000,
    /**
     * For a browser app served by the Hearth server itself: the server keeps the session in an HttpOnly cookie that
     * the browser sends by itself, `token` stays undefined, and every call carries the same-origin header the server
     * requires with that cookie (`SAME_ORIGIN_HEADER`).
     */
    readonly cookieSession = false,
  ) {}

  /**
   * Whether calls may be authenticated: a token is held, or the session is the browser's cookie (which only the
   * server can tell is still valid).
   * @example if (!http.hasSession) showSignIn();
   */
  get hasSession(): boolean {
    return this.cookieSession || this.token !== undefined;
  }

  /**
   * Calls one endpoint; resolves with its validated response, rejects with HearthError. A call without an answer
   * (body included) within the transport's timeout (30 s by default) is aborted.
   * @example const { users } = await http.call('searchUsers', { query: { q: 'an' } });
   * @throws HearthError with the server's code (and `status`) for an error answer; NETWORK_ERROR when `fetch` or
   * reading the body fails; TIMEOUT after the timeout; PROTOCOL_ERROR for a body that is not JSON, an error without
   * an `ErrorBody` below 500, or a response that fails the endpoint's schema; INTERNAL_ERROR for a 5xx without an
   * `ErrorBody`. A missing path parameter rejects with a TypeError.
   */
  async call<N extends EndpointName>(name: N, input: CallInput<N> = {}): Promise<ResponseOf<N>> {
    const endpoint = api[name];
    let url = this.baseUrl.replace(/\/$/, '') + buildPath(endpoint.path, (input.params ?? {}));
    const query = Object.entries((input.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (query.length > 0) url += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.cookieSession) headers[SAME_ORIGIN_HEADER] = '1';
    const hasBody = input.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let res;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method: endpoint.method,
        headers,
        signal: abort.signal,
        ...(hasBody ? { body: JSON.stringify(input.body) } : {}),
      });
      text = await res.text();
    } catch (err) {
      if (abort.signal.aborted) throw new HearthError('TIMEOUT', `No answer from ${endpoint.method} ${endpoint.path} in time.`);
      throw new HearthError('NETWORK_ERROR', `Could not reach the server: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new HearthError('PROTOCOL_ERROR', `The server answered ${res.status} with a body that is not JSON.`, {}, res.status);
    }
    if (res.status >= 400) {
      const body = ErrorBody.safeParse(json);
      if (body.success) throw HearthError.fromBody(body.data, res.status);
      throw new HearthError(res.status >= 500 ? 'INTERNAL_ERROR' : 'PROTOCOL_ERROR', `The server answered ${res.status}.`, {}, res.status);
    }
    const parsed = endpoint.response.safeParse(json);
    if (!parsed.success) {
      throw new HearthError('PROTOCOL_ERROR', `Unexpected response from ${endpoint.method} ${endpoint.path}: ${parsed.error.issues[0]?.message}`, {
        issues: parsed.error.issues.slice(0, 5),
      });
    }
    return parsed.data as ResponseOf<N>;
  }
}
