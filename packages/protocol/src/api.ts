import { z } from 'zod';
import { Emoji, Empty, Id } from './common.js';
import {
  AddMembersBody,
  ChannelSearchQuery,
  ChannelSummary,
  Conversation,
  CreateConversationBody,
  Member,
  UpdateConversationBody,
  UpdateMemberBody,
  UpdateMySettingsBody,
} from './conversations.js';
import { EditMessageBody, ForwardMessageBody, HistoryPage, HistoryQuery, Message, ReceiptBody, SendMessageBody } from './messages.js';
import { SyncRequest, SyncResponse } from './sync.js';
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

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST endpoint: its method, path (with `:name` parameters), whether it needs `Authorization: Bearer`,
 * and the schemas of its path parameters, query string, body and successful response.
 * The server registers its routes from this table and the SDK calls through it, so the two cannot drift.
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
   * The per-user budget the call counts against: `send` for message writes (sends, edits, deletes, reactions),
   * `expensive` for reads that scan (history, sync, directories). Over budget, the answer is RATE_LIMITED.
   */
  rateLimit?: RateLimitClass;
}

export type RateLimitClass = 'send' | 'expensive';

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
>(e: { method: HttpMethod; path: string; auth?: A; params?: P; query?: Q; body?: B; response?: R; rateLimit?: RateLimitClass }): Endpoint<P, Q, B, R, A> {
  return {
    method: e.method,
    path: e.path,
    auth: (e.auth ?? true) as A,
    params: (e.params ?? none) as P,
    query: (e.query ?? none) as Q,
    body: (e.body ?? none) as B,
    response: (e.response ?? Empty) as R,
    ...(e.rateLimit ? { rateLimit: e.rateLimit } : {}),
  };
}

/**
 * The REST API. Every path is under `/api`; bodies are JSON; errors are `ErrorBody` with an HTTP status.
 *
 * @example
 * const res = await fetch(base + api.signIn.path, { method: api.signIn.method, body: JSON.stringify({ username, password }) });
 */
export const api = {
  serverInfo: endpoint({ method: 'GET', path: '/api/server', auth: false, response: ServerInfo }),

  signUp: endpoint({ method: 'POST', path: '/api/auth/signup', auth: false, body: SignUpBody, response: AuthResult }),
  signIn: endpoint({ method: 'POST', path: '/api/auth/signin', auth: false, body: SignInBody, response: AuthResult }),
  signOut: endpoint({ method: 'POST', path: '/api/auth/signout' }),
  listSessions: endpoint({ method: 'GET', path: '/api/sessions', response: z.object({ sessions: z.array(Session) }) }),
  revokeSession: endpoint({ method: 'DELETE', path: '/api/sessions/:sessionId', params: z.object({ sessionId: Id }) }),

  getMe: endpoint({ method: 'GET', path: '/api/me', response: Me }),
  updateMe: endpoint({ method: 'PATCH', path: '/api/me', body: UpdateMeBody, response: Me }),
  changePassword: endpoint({ method: 'POST', path: '/api/me/password', body: ChangePasswordBody }),
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
  }),
  updateMySettings: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId/settings',
    params: conv,
    body: UpdateMySettingsBody,
  }),
  browseChannels: endpoint({
    method: 'GET',
    path: '/api/channels',
    query: ChannelSearchQuery,
    response: z.object({ channels: z.array(ChannelSummary) }),
    rateLimit: 'expensive',
  }),
  joinChannel: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/join', params: conv, response: Conversation }),
  leaveConversation: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/leave', params: conv }),
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
  }),
  removeMember: endpoint({ method: 'DELETE', path: '/api/conversations/:conversationId/members/:userId', params: convUser }),
  updateMember: endpoint({
    method: 'PATCH',
    path: '/api/conversations/:conversationId/members/:userId',
    params: convUser,
    body: UpdateMemberBody,
    response: Member,
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
  updateReceipt: endpoint({ method: 'POST', path: '/api/conversations/:conversationId/receipts', params: conv, body: ReceiptBody }),

  sync: endpoint({ method: 'POST', path: '/api/sync', body: SyncRequest, response: SyncResponse, rateLimit: 'expensive' }),
} as const;

export type Api = typeof api;
export type EndpointName = keyof Api;
/** Path parameters of an endpoint, as the caller gives them. */
export type ParamsOf<N extends EndpointName> = z.input<Api[N]['params']>;
export type QueryOf<N extends EndpointName> = z.input<Api[N]['query']>;
export type BodyOf<N extends EndpointName> = z.input<Api[N]['body']>;
export type ResponseOf<N extends EndpointName> = z.infer<Api[N]['response']>;

/**
 * Fills `:name` segments of a path, percent-encoding each value.
 * @example buildPath('/api/users/:userId', { userId }) // '/api/users/0193…'
 */
export function buildPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
