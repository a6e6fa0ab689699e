import { z } from 'zod';
import { Emoji, Id, singleLine, Timestamp } from './common.js';

/**
 * A username: 3 to 32 characters of lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 * Input is trimmed and lowercased before the check, so `Ana` and `ana` are the same account.
 * @example Username.parse('  Ana.Lima ') // 'ana.lima'
 */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'username must be 3-32 characters of a-z 0-9 . _ - starting with a letter or digit');

/**
 * A display name: 1 to 64 characters after trimming, one line (no control characters or lone surrogates).
 * @example DisplayName.parse('Ana Lima')
 */
export const DisplayName = singleLine(z.string().trim().min(1).max(64));

/**
 * A password for sign-up or a password change: 8 to 256 characters, not trimmed.
 * @example Password.parse('correct horse battery')
 */
export const Password = z.string().min(8, 'password must be at least 8 characters').max(256);

/**
 * Status text shown next to a name, up to 140 characters after trimming, one line; the empty string clears it.
 * @example StatusText.parse('On holiday until Monday')
 */
export const StatusText = singleLine(z.string().trim().max(140));

/** Whether this runtime's Intl knows the zone (`Intl.DateTimeFormat` throws a RangeError for an unknown one). */
function canonicalZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * An IANA time zone name that `Intl` knows, such as `Europe/Madrid`, at most 64 characters; it comes back in its
 * canonical spelling (`europe/madrid` becomes `Europe/Madrid`). Throws (when parsed) for an unknown zone.
 * @example TimeZone.parse('America/Sao_Paulo') // 'America/Sao_Paulo'
 */
export const TimeZone = z
  .string()
  .max(64)
  .transform((zone, ctx) => {
    const canonical = canonicalZone(zone);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: 'timeZone must be an IANA time zone name, such as Europe/Madrid' });
      return z.NEVER;
    }
    return canonical;
  });

/**
 * A user as other people see them.
 * @example
 * User.parse({ id: userId, username: 'ana', displayName: 'Ana Lima', statusText: '', statusEmoji: '',
 *   createdAt: 1718000000000 })
 */
export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  statusText: z.string(),
  /** One emoji shown with the status text, or the empty string. */
  statusEmoji: z.string(),
  /**
   * The IANA time zone the person set (their devices set it from the system's), for showing their local time;
   * absent when never set. Not checked against this runtime's zone list, which may be older than the server's.
   */
  timeZone: z.string().optional(),
  createdAt: Timestamp,
});
/**
 * A parsed {@link User}.
 * @example const label = user.statusEmoji ? `${user.displayName} ${user.statusEmoji}` : user.displayName;
 */
export type User = z.infer<typeof User>;

/**
 * The signed-in user, with their own settings.
 * @example Me.parse({ ...user, readReceipts: true, isAdmin: false })
 */
export const Me = User.extend({
  /** Whether the user shares read receipts. When off, they see no one else's either. */
  readReceipts: z.boolean(),
  /** Server administrator. */
  isAdmin: z.boolean(),
});
/**
 * A parsed {@link Me}.
 * @example if (me.isAdmin) showServerSettings();
 */
export type Me = z.infer<typeof Me>;

/**
 * `online`: at least one connected device is active. `away`: connected, every device idle. `offline`: no
 * connection (declared after a short grace period, so a quick reconnect does not flap).
 * @example PresenceState.parse('away')
 */
export const PresenceState = z.enum(['online', 'away', 'offline']);
/**
 * A parsed {@link PresenceState}.
 * @example const dot: Record<PresenceState, string> = { online: 'green', away: 'yellow', offline: 'grey' };
 */
export type PresenceState = z.infer<typeof PresenceState>;

/**
 * A user's presence, visible only to people who share a conversation with them.
 * @example Presence.parse({ userId, state: 'offline', lastSeenAt: 1718000000000 })
 */
export const Presence = z.object({
  userId: Id,
  state: PresenceState,
  /** When the user was last connected; null if never. */
  lastSeenAt: Timestamp.nullable(),
});
/**
 * A parsed {@link Presence}.
 * @example const presence: Presence = { userId, state: 'online', lastSeenAt: 1718000000000 };
 */
export type Presence = z.infer<typeof Presence>;

/**
 * One signed-in device.
 * @example
 * Session.parse({ id: sessionId, deviceName: 'Firefox on Linux', userAgent: 'Mozilla/5.0 …', createdAt: 1718000000000,
 *   lastUsedAt: 1718000000000, current: true })
 */
export const Session = z.object({
  id: Id,
  deviceName: z.string(),
  userAgent: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  /** True for the session that made the request. */
  current: z.boolean(),
});
/**
 * A parsed {@link Session}. `lastUsedAt` is refreshed at most once a minute.
 * @example const others = sessions.filter((s: Session) => !s.current);
 */
export type Session = z.infer<typeof Session>;

/**
 * A name for a session, up to 64 characters after trimming; when absent or empty the server derives one from
 * the User-Agent ("Firefox on Linux"). One line.
 * @example DeviceName.parse('Work laptop')
 */
export const DeviceName = singleLine(z.string().trim().max(64));

/**
 * `POST /api/auth/signup`: creates an account and signs it in.
 * @example SignUpBody.parse({ username: 'ana', displayName: 'Ana Lima', password: 'correct horse battery' })
 */
export const SignUpBody = z.object({
  username: Username,
  displayName: DisplayName,
  password: Password,
  deviceName: DeviceName.optional(),
  /**
   * For a browser app served by the server itself: keep the session in an HttpOnly cookie (`SESSION_COOKIE`) instead
   * of returning the token. The request must then carry `SAME_ORIGIN_HEADER`.
   */
  cookie: z.boolean().optional(),
});
/**
 * A parsed {@link SignUpBody} (username lowercased, names trimmed).
 * @example const body: SignUpBody = { username: 'ana', displayName: 'Ana', password: 'correct horse battery' };
 */
export type SignUpBody = z.infer<typeof SignUpBody>;

/**
 * `POST /api/auth/signin`. Lenient on purpose: any one-line name up to 64 characters parses, and a wrong one fails
 * later as INVALID_CREDENTIALS. Passwords, here and everywhere, may hold any character: only their hash is stored.
 * @example SignInBody.parse({ username: 'Ana', password: 'correct horse battery', deviceName: 'Phone' })
 */
export const SignInBody = z.object({
  // Not the Username schema: a malformed name must fail exactly like a wrong password. Only what no name can hold
  // (control characters, lone surrogates) is refused here, before it reaches a database query.
  username: singleLine(z.string().trim().toLowerCase().max(64)),
  password: z.string().max(256),
  deviceName: DeviceName.optional(),
  /** As in {@link SignUpBody}: the session goes into an HttpOnly cookie, not into the answer. */
  cookie: z.boolean().optional(),
});
/**
 * A parsed {@link SignInBody}.
 * @example const body: SignInBody = { username: 'ana', password: 'correct horse battery' };
 */
export type SignInBody = z.infer<typeof SignInBody>;

/**
 * Returned by sign-up and sign-in. The token is shown once; send it as `Authorization: Bearer <token>`. It is absent
 * when the request asked for the session cookie (`cookie: true`): the cookie then carries it, out of scripts' reach.
 * @example const { token, me } = AuthResult.parse(await res.json());
 */
export const AuthResult = z.object({
  token: z.string().optional(),
  session: Session,
  me: Me,
});
/**
 * A parsed {@link AuthResult}.
 * @example if (result.token) secureStore.save('hearth.token', result.token);
 */
export type AuthResult = z.infer<typeof AuthResult>;

/**
 * `PATCH /api/me`: the fields to change, any subset. `statusEmoji` is one emoji or `''` to clear it; `timeZone` an
 * IANA zone name ({@link TimeZone}) or `''` to clear it.
 * @example UpdateMeBody.parse({ statusText: 'In a meeting', statusEmoji: '📅', timeZone: 'Europe/Madrid' })
 */
export const UpdateMeBody = z
  .object({
    displayName: DisplayName,
    statusText: StatusText,
    statusEmoji: z.union([z.literal(''), Emoji]),
    timeZone: z.union([z.literal(''), TimeZone]),
    readReceipts: z.boolean(),
  })
  .partial();
/**
 * A parsed {@link UpdateMeBody}.
 * @example const body: UpdateMeBody = { readReceipts: false };
 */
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

/**
 * `POST /api/me/password`. Every other session of the user is ended.
 * @example ChangePasswordBody.parse({ currentPassword: 'correct horse battery', newPassword: 'battery staple horse' })
 */
export const ChangePasswordBody = z.object({
  currentPassword: z.string().max(256),
  newPassword: Password,
});
/**
 * A parsed {@link ChangePasswordBody}.
 * @example const body: ChangePasswordBody = { currentPassword: 'old secret 1', newPassword: 'new secret 2' };
 */
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/**
 * `GET /api/users`: every user of the server whose username or display name contains `q` (ignoring case),
 * ordered by username; an empty `q` lists everyone, a page at a time. Numbers may come as query-string text.
 * @example UserSearchQuery.parse({ q: 'an', limit: '10' }) // { q: 'an', limit: 10 }
 */
export const UserSearchQuery = z.object({
  q: singleLine(z.string().trim().max(64)).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
/**
 * A parsed {@link UserSearchQuery}, defaults applied.
 * @example const query: UserSearchQuery = { q: 'ana', limit: 20 };
 */
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

/**
 * `GET /api/server`, answered without authentication: tells a client it is talking to Hearth, whether the server
 * still waits for its first account, and which files it accepts.
 * @example
 * ServerInfo.parse({ name: 'hearth', version: '0.4.0', needsSetup: false,
 *   files: { maxUploadBytes: 104857600, allowedTypes: ['image/jpeg', 'video/*'] } })
 */
export const ServerInfo = z.object({
  name: z.literal('hearth'),
  version: z.string(),
  /** True while no account exists: the first sign-up becomes the server administrator. */
  needsSetup: z.boolean(),
  /**
   * Uploads: the largest file in bytes, and the types accepted (sniffed from the bytes; `type/*` admits a whole
   * family). A client checks them before uploading; the server checks them again.
   */
  files: z.object({ maxUploadBytes: z.int().positive(), allowedTypes: z.array(z.string()) }),
});
/**
 * A parsed {@link ServerInfo}.
 * @example if (info.needsSetup) showCreateAdminForm();
 */
export type ServerInfo = z.infer<typeof ServerInfo>;
