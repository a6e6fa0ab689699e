import { z } from 'zod';
import { Emoji, Empty, Id } from './common.js';
import {
  AddMembersBody,
  ChannelPreview,
  ChannelSearchQuery,
  ChannelSummary,
  Conversation,
  CreateConversationBody,
  Member,
  UpdateConversationBody,
  UpdateMemberBody,
  UpdateMySettingsBody,
} from './conversations.js';
import {
  EditMessageBody,
  ForwardManyBody,
  ForwardMessageBody,
  ForwardResult,
  HistoryPage,
  HistoryQuery,
  Message,
  ReceiptBody,
  SendMessageBody,
} from './messages.js';
import { FileLink, FileLinkQuery, FilesPage, FilesQuery, UploadedFile } from './files.js';
import { ConversationEventsPage, ConversationEventsQuery, SyncRequest, SyncResponse } from './sync.js';
import {
  AuthResult,
  ChangePasswordBody,
  Me,
  ServerInfo,
  Session,
  SignInBody,
  SignUpBody,
  UpdateMeBody,
  User,
  UserSearchQuery,
} from './users.js';

/**
 * The HTTP methods the REST API uses.
 * @example const method: HttpMethod = api.editMessage.method; // 'PATCH'
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST endpoint: its method, path (with `:name` parameters), whether it needs `Authorization: Bearer`,
 * and the schemas of its path parameters, query string, body and successful response.
 * The server registers its routes from this table and the SDK calls through it, so the two cannot drift.
 * @example const needsToken = (e: Endpoint) => e.auth; // needsToken(api.serverInfo) === false
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  A extends boolean = boolean,
> {
  method: HttpMethod;
  path: string;
  auth: A;
  params: P;
  query: Q;
  body: B;
  response: R;
  /**
   * The per-user budget the call counts against: `send` for message writes (sends, edits, deletes, reactions,
   * forwards), `expensive` for reads that scan (history, sync, directories, channel previews) and for creating
   * conversations, `broadcast` for the other writes that send events to other people or to the caller's devices
   * (membership and its system lines, titles and topics, roles, profile, settings, password), `light` for receipts
   * (shared with the WebSocket's `receipt`, `typing`, `presence` and `ping`). Over budget, the answer is
   * RATE_LIMITED with `retryAfterMs` (and a `Retry-After` header). Invalid requests are not charged.
   */
  rateLimit?: RateLimitClass;
  /** How many of the `rateLimit` budget's tokens the call takes (1 when absent): a forward takes one per target. */
  rateCost?(body: z.infer<B>): number;
}

/**
 * The cookie that carries the session of a browser app served by the server itself, when sign-up or sign-in asked
 * for it (`cookie: true`): HttpOnly, SameSite=Strict, Path=/, so that no script of the page can read the token.
 * @example const signedIn = (await fetch('/api/me')).ok; // the browser sends the cookie by itself
 */
export const SESSION_COOKIE = 'hearth_session';

/**
 * The header (value `1`) every request that carries the session cookie must send unless its method is GET or HEAD;
 * so must sign-up and sign-in asking for the cookie. A page of another site cannot add a custom header without a
 * CORS preflight, which the server never approves: the header proves the request came from the app itself.
 * Requests with a bearer token need none.
 * @example headers[SAME_ORIGIN_HEADER] = '1';
 */
export const SAME_ORIGIN_HEADER = 'x-hearth-request';

/**
 * A per-user rate budget of the REST API; see {@link Endpoint.rateLimit}.
 * @example const budget: RateLimitClass | undefined = api.sendMessage.rateLimit; // 'send'
 */
export type RateLimitClass = 'send' | 'expensive' | 'broadcast' | 'light';

const none = z.object({}).strip();
const conv = z.object({ conversationId: Id });
const convMessage = z.object({ conversationId: Id, messageId: Id });
const convUser = z.object({ conversationId: Id, userId: Id });

function endpoint<
  P extends z.ZodType = typeof none,
  Q extends z.ZodType = typeof none,
  B extends z.ZodType = typeof none,
  R extends z.ZodType = typeof Empty,
  A extends boolean = true,
>(e: {
  method: HttpMethod;
  path: string;
  auth?: A;
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
  rateLimit?: RateLimitClass;
  rateCost?: (body: z.infer<B>) => number;
}): Endpoint<P, Q, B, R, A> {
  return {
    method: e.method,
    path: e.path,
    auth: (e.auth ?? true) as A,
    params: (e.params ?? none) as P,
    query: (e.query ?? none) as Q,
    body: (e.body ?? none) as B,
    response: (e.response ?? Empty) as R,
    ...(e.rateLimit ? { rateLimit: e.rateLimit } : {}),
    ...(e.rateCost ? { rateCost: e.rateCost } : {}),
  };
}

/**
 * The REST API. Every path is under `/api`; bodies are JSON (sent as `application/json`); errors are `ErrorBody`
 * with an HTTP status. Endpoints with `auth` answer UNAUTHENTICATED (401) without a valid bearer token, those with
 * a `rateLimit` RATE_LIMITED (429) over budget, and any may answer VALIDATION_FAILED (400) or INTERNAL_ERROR (500).
 *
 * @example
 * const res = await fetch(base + api.signIn.path, {
 *   method: api.signIn.method,
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ username, password }),
 * });
 */
export const api = {
  serverInfo: endpoint({ method: 'GET', path: '/api/server', auth: false, response: ServerInfo }),

  signUp: endpoint({ method: 'POST', path: '/api/auth/signup', auth: false, body: SignUpBody, response: AuthResult }),
  signIn: endpoint({ method: 'POST', path: '/api/auth/signin', auth: false, body: SignInBody, response: AuthResult }),
  signOut: endpoint({ method: 'POST', path: '/api/auth/signout' }),
  listSessions: endpoint({ method: 'GET', path: '/api/sessions', response: z.object({ sessions: z.array(Session) }) }),
  revokeSession: endpoint({ method: 'DELETE', path: '/api/sessions/:sessionId', params: z.object({ sessionId: Id }) }),

  getMe: endpoint({ method: 'GET', path: '/api/me', response: Me }),
  updateMe: endpoint({ method: 'PATCH', path: '/api/me', body: UpdateMeBody, response: Me, rateLimit: 'broadcast' }),
  changePassword: endpoint({ method: 'POST', path: '/api/me/password', body: ChangePasswordBody, rateLimit: 'broadcast' }),
  searchUsers: endpoint({
    method: 'GET',
    path: '/api/users',
    query: UserSearchQuery,
    response: z.object({ users: z.array(User) }),
    rateLimit: 'expensive',
  }),
  getUser: endpoint({ method: 'GET', path: '/api/users/:userId', params: z.object({ userId: Id }), response: User }),

  listConversations: endpoint({
    method: 'GET',
    path: '/api/conversations',
    response: z.object({ conversations: z.array(Conversation) }),
    rateLimit: 'expensive',
  }),
  createConversation: endpoint({
    method: 'POST',
    path: '/api/conversations',
    body: CreateConversationBody,
    response: Conversation,
    rateLimit: 'expensive',
  }),
  getConversation: endpoint({ method: 'GET', path: '/api/conversations/:conversationId', params: conv, response: Conversation }),
  updateConversation: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId',
    params: conv,
    body: UpdateConversationBody,
    response: Conversation,
    rateLimit: 'broadcast',
  }),
  updateMySettings: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId/settings',
    params: conv,
    body: UpdateMySettingsBody,
    rateLimit: 'broadcast',
  }),
  browseChannels: endpoint({
    method: 'GET',
    path: '/api/channels',
    query: ChannelSearchQuery,
    response: z.object({ channels: z.array(ChannelSummary) }),
    rateLimit: 'expensive',
  }),
  previewChannel: endpoint({ method: 'GET', path: '/api/channels/:conversationId', params: conv, response: ChannelPreview, rateLimit: 'expensive' }),
  joinChannel: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/join', params: conv, response: Conversation, rateLimit: 'broadcast' }),
  leaveConversation: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/leave', params: conv, rateLimit: 'broadcast' }),
  hideConversation: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/hide', params: conv, rateLimit: 'broadcast' }),
  listMembers: endpoint({
    method: 'GET',
    path: '/api/conversations/:conversationId/members',
    params: conv,
    response: z.object({ members: z.array(Member) }),
  }),
  addMembers: endpoint({
    method: 'POST',
    path: '/api/conversations/:conversationId/members',
    params: conv,
    body: AddMembersBody,
    response: z.object({ members: z.array(Member) }),
    rateLimit: 'broadcast',
  }),
  removeMember: endpoint({ method: 'DELETE', path: '/api/conversations/:conversationId/members/:userId', params: convUser, rateLimit: 'broadcast' }),
  updateMember: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId/members/:userId',
    params: convUser,
    body: UpdateMemberBody,
    response: Member,
    rateLimit: 'broadcast',
  }),

  history: endpoint({
    method: 'GET',
    path: '/api/conversations/:conversationId/messages',
    params: conv,
    query: HistoryQuery,
    response: HistoryPage,
    rateLimit: 'expensive',
  }),
  getMessage: endpoint({ method: 'GET', path: '/api/conversations/:conversationId/messages/:messageId', params: convMessage, response: Message }),
  sendMessage: endpoint({
    method: 'POST',
    path: '/api/conversations/:conversationId/messages',
    params: conv,
    body: SendMessageBody,
    response: Message,
    rateLimit: 'send',
  }),
  forwardMessage: endpoint({
    method: 'POST',
    path: '/api/conversations/:conversationId/forward',
    params: conv,
    body: ForwardMessageBody,
    response: Message,
    rateLimit: 'send',
  }),
  forwardMany: endpoint({
    method: 'POST',
    path: '/api/forward',
    body: ForwardManyBody,
    response: z.object({ results: z.array(ForwardResult) }),
    rateLimit: 'send',
    rateCost: (body) => body.targets.length,
  }),
  editMessage: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId/messages/:messageId',
    params: convMessage,
    body: EditMessageBody,
    response: Message,
    rateLimit: 'send',
  }),
  deleteMessage: endpoint({
    method: 'DELETE',
    path: '/api/conversations/:conversationId/messages/:messageId',
    params: convMessage,
    response: Message,
    rateLimit: 'send',
  }),
  /**
   * Removes the link preview of a message (its author, or a moderator): `linkPreview` becomes null with a
   * `message.previewed` event, and the link is not previewed again unless an edit changes it.
   */
  removeLinkPreview: endpoint({
    method: 'DELETE',
    path: '/api/conversations/:conversationId/messages/:messageId/link-preview',
    params: convMessage,
    response: Message,
    rateLimit: 'send',
  }),
  addReaction: endpoint({
    method: 'PUT',
    path: '/api/conversations/:conversationId/messages/:messageId/reactions/:emoji',
    params: z.object({ conversationId: Id, messageId: Id, emoji: Emoji }),
    rateLimit: 'send',
  }),
  removeReaction: endpoint({
    method: 'DELETE',
    path: '/api/conversations/:conversationId/messages/:messageId/reactions/:emoji',
    params: z.object({ conversationId: Id, messageId: Id, emoji: Emoji }),
    rateLimit: 'send',
  }),
  updateReceipt: endpoint({
    method: 'POST',
    path: '/api/conversations/:conversationId/receipts',
    params: conv,
    body: ReceiptBody,
    rateLimit: 'light',
  }),

  sync: endpoint({ method: 'POST', path: '/api/sync', body: SyncRequest, response: SyncResponse, rateLimit: 'expensive' }),
  conversationEvents: endpoint({
    method: 'GET',
    path: '/api/conversations/:conversationId/events',
    params: conv,
    query: ConversationEventsQuery,
    response: ConversationEventsPage,
    rateLimit: 'expensive',
  }),

  /*
   * Files. The bytes themselves are not JSON and so are not in this table: uploads go through tus at
   * `/api/uploads` (docs/PROTOCOL.md, "Files"), and `GET /api/files/:fileId` and `/api/files/:fileId/thumbnail`
   * answer the bytes, with `Range`.
   */
  fileInfo: endpoint({ method: 'GET', path: '/api/files/:fileId/info', params: z.object({ fileId: Id }), response: UploadedFile }),
  fileLink: endpoint({
    method: 'GET',
    path: '/api/files/:fileId/link',
    params: z.object({ fileId: Id }),
    query: FileLinkQuery,
    response: FileLink,
  }),
  conversationFiles: endpoint({
    method: 'GET',
    path: '/api/conversations/:conversationId/files',
    params: conv,
    query: FilesQuery,
    response: FilesPage,
    rateLimit: 'expensive',
  }),
} as const;

/**
 * The type of the {@link api} table, endpoint by endpoint with their exact schemas.
 * @example type Send = Api['sendMessage'];
 */
export type Api = typeof api;
/**
 * The name of an endpoint of {@link api}.
 * @example const name: EndpointName = 'history';
 */
export type EndpointName = keyof Api;
/**
 * Path parameters of an endpoint, as the caller gives them.
 * @example const params: ParamsOf<'getMessage'> = { conversationId, messageId };
 */
export type ParamsOf<N extends EndpointName> = z.input<Api[N]['params']>;
/**
 * Query-string fields of an endpoint, as the caller gives them (defaults may be left out).
 * @example const query: QueryOf<'history'> = { before: 120, limit: 50 };
 */
export type QueryOf<N extends EndpointName> = z.input<Api[N]['query']>;
/**
 * The JSON body of an endpoint, as the caller gives it (defaults may be left out).
 * @example const body: BodyOf<'createConversation'> = { kind: 'channel', title: 'General' };
 */
export type BodyOf<N extends EndpointName> = z.input<Api[N]['body']>;
/**
 * The parsed successful response of an endpoint.
 * @example const page: ResponseOf<'history'> = { messages: [], hasMore: false };
 */
export type ResponseOf<N extends EndpointName> = z.infer<Api[N]['response']>;

/**
 * Fills `:name` segments of a path, percent-encoding each value (an emoji in a reaction path, for example).
 * Extra entries of `params` are ignored.
 * @example buildPath('/api/users/:userId', { userId }) // '/api/users/0193…'
 * @throws TypeError when `params` lacks a value for one of the path's parameters.
 */
export function buildPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
