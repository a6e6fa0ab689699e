import { createHash, randomBytes } from 'node:crypto';
import type { AuthResult, ChangePasswordBody, Session, SignInBody, SignUpBody } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { topics, type Bus } from '../../platform/bus.js';
import type { Clock } from '../../platform/clock.js';
import type { DialectCapabilities } from '../../platform/db/dialect.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { RateBudget } from '../../platform/rate-limit.js';
import * as users from '../users/users.store.js';
import { toMe } from '../users/users.views.js';
import type { SignInThrottle } from './login-throttle.js';
import type { Passwords } from './passwords.js';
import * as sessions from './sessions.store.js';

/** Where a sign-in comes from, for throttling and for the session list. */
export interface ClientMeta {
  ip: string;
  userAgent: string;
}

export interface Authenticated {
  user: users.UserRow;
  session: sessions.SessionRow;
}

// Updating last_used_at on every request would turn every read into a write.
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AuthService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly capabilities: DialectCapabilities,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly passwords: Passwords,
    private readonly throttle: SignInThrottle,
    private readonly signUpLimiter: RateBudget,
  ) {}

  /** Creates an account and signs it in. The first account of a server becomes its administrator. */
  async signUp(body: SignUpBody, meta: ClientMeta): Promise<AuthResult> {
    await this.signUpLimiter.take(`signup:${meta.ip}`);
    const user = await this.createUser(body);
    return this.startSession(user, body.deviceName, meta);
  }

  /** Creates an account without signing in (the `hearth user create` command). */
  async createUser(input: { username: string; displayName: string; password: string; isAdmin?: boolean }): Promise<users.UserRow> {
    const hash = await this.passwords.hash(input.password);
    const now = this.clock.now();
    const row: users.UserRow = {
      id: newId(),
      username: input.username,
      display_name: input.displayName,
      password_hash: hash,
      status_text: '',
      status_emoji: '',
      time_zone: null,
      read_receipts: 1,
      is_admin: input.isAdmin ? 1 : 0,
      created_at: now,
      updated_at: now,
      // Nobody shares a conversation with a new account yet: whoever comes to meets it through a membership.
      profile_change: 0,
      last_seen_at: null,
    };
    try {
      await users.insert(this.db, row);
    } catch (err) {
      if (this.capabilities.isUniqueViolation(err)) throw new HearthError('USERNAME_TAKEN', { username: input.username });
      throw err;
    }
    // Single statements rather than count-then-insert in one transaction: on SQLite a read that later wants to
    // write fails at once (no busy wait) when another process wrote in between, e.g. the CLI beside a server.
    if (!row.is_admin && (await users.promoteIfFirst(this.db, row.id))) row.is_admin = 1;
    return row;
  }

  /**
   * Signs in. Wrong password, unknown username and malformed username all fail the same way, in the same time.
   */
  async signIn(body: SignInBody, meta: ClientMeta): Promise<AuthResult> {
    await this.throttle.check(body.username, meta.ip);
    const user = await users.findByUsername(this.db, body.username);
    const ok = user ? await this.passwords.verify(user.password_hash, body.password) : await this.passwords.verifyNothing(body.password);
    if (!user || !ok) {
      await this.throttle.recordFailure(body.username, meta.ip);
      throw new HearthError('INVALID_CREDENTIALS');
    }
    await this.throttle.recordSuccess(body.username);
    return this.startSession(user, body.deviceName, meta);
  }

  /** Resolves a bearer token to its session and user; throws UNAUTHENTICATED. */
  async authenticate(token: string | undefined): Promise<Authenticated> {
    if (!token) throw new HearthError('UNAUTHENTICATED');
    const found = await sessions.findByTokenHash(this.db, hashToken(token));
    if (!found) throw new HearthError('UNAUTHENTICATED');
    const now = this.clock.now();
    if (now - Number(found.session.last_used_at) > TOUCH_EVERY_MS) {
      await sessions.touch(this.db, found.session.id, now);
      found.session.last_used_at = now;
    }
    return found;
  }

  /**
   * Of the given sessions, those that were ended without this process hearing of it (by `hearth user
   * reset-password` in another process, for example).
   */
  async endedSessions(sessionIds: readonly string[]): Promise<string[]> {
    const alive = await sessions.existing(this.db, sessionIds);
    return sessionIds.filter((id) => !alive.has(id));
  }

  async signOut(actor: Actor): Promise<void> {
    await this.revokeSession(actor, actor.sessionId);
  }

  async listSessions(actor: Actor): Promise<Session[]> {
    const rows = await sessions.listByUser(this.db, actor.userId);
    return rows.map((r) => toSession(r, actor.sessionId));
  }

  /** Ends one of the caller's sessions; its open sockets are closed with SESSION_REVOKED. */
  async revokeSession(actor: Actor, sessionId: string): Promise<void> {
    const removed = await sessions.remove(this.db, actor.userId, sessionId);
    if (!removed) throw new HearthError('SESSION_NOT_FOUND', { sessionId });
    this.bus.publish(topics.user(actor.userId), { type: 'session.revoked', sessionId });
  }

  /** Changes the password and signs out every other device. */
  async changePassword(actor: Actor, body: ChangePasswordBody, meta: ClientMeta): Promise<void> {
    const user = await users.findById(this.db, actor.userId);
    if (!user) throw new HearthError('UNAUTHENTICATED');
    // The same lockout as sign-in: a stolen session token must not become a way to guess the password.
    await this.throttle.check(user.username, meta.ip);
    if (!(await this.passwords.verify(user.password_hash, body.currentPassword))) {
      await this.throttle.recordFailure(user.username, meta.ip);
      throw new HearthError('INVALID_CREDENTIALS', {}, 'The current password is wrong.');
    }
    await this.setPassword(actor.userId, body.newPassword, actor.sessionId);
  }

  /** Sets the password of the named user and ends all their sessions (`hearth user reset-password`). */
  async resetPassword(username: string, password: string): Promise<void> {
    const user = await users.findByUsername(this.db, username);
    if (!user) throw new HearthError('USER_NOT_FOUND', { username });
    await this.setPassword(user.id, password, null);
  }

  /** Sets a user's password and ends their sessions but `keepSessionId`. */
  private async setPassword(userId: string, password: string, keepSessionId: string | null): Promise<void> {
    const hash = await this.passwords.hash(password);
    const updated = await users.update(this.db, userId, { password_hash: hash, updated_at: this.clock.now() });
    if (!updated) throw new HearthError('USER_NOT_FOUND', { userId });
    const removed = await sessions.removeOthers(this.db, userId, keepSessionId);
    for (const sessionId of removed) this.bus.publish(topics.user(userId), { type: 'session.revoked', sessionId });
  }

  private async startSession(user: users.UserRow, deviceName: string | undefined, meta: ClientMeta): Promise<AuthResult> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const row: sessions.SessionRow = {
      id: newId(),
      user_id: user.id,
      token_hash: hashToken(token),
      device_name: deviceName || describeAgent(meta.userAgent),
      user_agent: meta.userAgent.slice(0, 256),
      created_at: now,
      last_used_at: now,
    };
    await sessions.insert(this.db, row);
    return { token, session: toSession(row, row.id), me: toMe(user) };
  }
}

function toSession(row: sessions.SessionRow, currentId: string): Session {
  return {
    id: row.id,
    deviceName: row.device_name,
    userAgent: row.user_agent,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    current: row.id === currentId,
  };
}

/** A readable default device name from a User-Agent ("Firefox on Linux"). */
function describeAgent(ua: string): string {
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /node/i.test(ua) ? 'Node.js' : '';
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return [browser, os].filter(Boolean).join(' on ') || 'Unknown device';
}
