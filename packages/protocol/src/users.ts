import { z } from 'zod';
import { Emoji, Id, Timestamp } from './common.js';

/**
 * A username: 3 to 32 characters of lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 * Input is trimmed and lowercased before the check, so `Ana` and `ana` are the same account.
 */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'username must be 3-32 characters of a-z 0-9 . _ - starting with a letter or digit');

/** A display name: 1 to 64 characters after trimming, no control characters. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}]*$/u, 'display name must not contain control characters');

/** A password: 8 to 256 characters. */
export const Password = z.string().min(8, 'password must be at least 8 characters').max(256);

/** Status text shown next to a name, up to 140 characters. */
export const StatusText = z.string().trim().max(140);

/** A user as other people see them. */
export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  statusText: z.string(),
  /** One emoji shown with the status text, or the empty string. */
  statusEmoji: z.string(),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

/** The signed-in user, with their own settings. */
export const Me = User.extend({
  /** Whether the user shares read receipts. When off, they see no one else's either. */
  readReceipts: z.boolean(),
  /** Server administrator. */
  isAdmin: z.boolean(),
});
export type Me = z.infer<typeof Me>;

export const PresenceState = z.enum(['online', 'away', 'offline']);
export type PresenceState = z.infer<typeof PresenceState>;

/** A user's presence, visible only to people who share a conversation with them. */
export const Presence = z.object({
  userId: Id,
  state: PresenceState,
  /** When the user was last connected; null if never. */
  lastSeenAt: Timestamp.nullable(),
});
export type Presence = z.infer<typeof Presence>;

/** One signed-in device. */
export const Session = z.object({
  id: Id,
  deviceName: z.string(),
  userAgent: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  /** True for the session that made the request. */
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export const DeviceName = z.string().trim().max(64);

export const SignUpBody = z.object({
  username: Username,
  displayName: DisplayName,
  password: Password,
  deviceName: DeviceName.optional(),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

export const SignInBody = z.object({
  // Not the Username schema: a malformed name must fail exactly like a wrong password.
  username: z.string().trim().toLowerCase().max(64),
  password: z.string().max(256),
  deviceName: DeviceName.optional(),
});
export type SignInBody = z.infer<typeof SignInBody>;

/** Returned by sign-up and sign-in. The token is shown once; send it as `Authorization: Bearer <token>`. */
export const AuthResult = z.object({
  token: z.string(),
  session: Session,
  me: Me,
});
export type AuthResult = z.infer<typeof AuthResult>;

export const UpdateMeBody = z
  .object({
    displayName: DisplayName,
    statusText: StatusText,
    statusEmoji: z.union([z.literal(''), Emoji]),
    readReceipts: z.boolean(),
  })
  .partial();
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const ChangePasswordBody = z.object({
  currentPassword: z.string().max(256),
  newPassword: Password,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const UserSearchQuery = z.object({
  q: z.string().trim().max(64).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

export const ServerInfo = z.object({
  name: z.literal('hearth'),
  version: z.string(),
  /** True while no account exists: the first sign-up becomes the server administrator. */
  needsSetup: z.boolean(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;
