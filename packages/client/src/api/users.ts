import type { Me, UpdateMeBody, User } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/**
 * Profiles and the user directory, as `client.users`. Besides the codes listed on each method, calls that reach
 * the server reject with UNAUTHENTICATED and the transport's HearthErrors (see `HttpTransport.call`).
 * @example const [ana] = await client.users.search('ana');
 */
export class UsersApi {
  /**
   * Made by `HearthClient`; use `client.users`. Never throws.
   * @example const users = new UsersApi(client);
   */
  constructor(private readonly client: ClientContext) {}

  /**
   * The signed-in user as last seen (undefined before sign-in); kept current by `me.updated` events.
   * @example const name = client.users.me?.displayName ?? 'Guest';
   */
  get me(): Me | undefined {
    return this.client.state.me;
  }

  /**
   * Updates the caller's profile or settings (display name, status, read receipts); other devices follow, and
   * people who share a conversation get `user.updated`. Resolves with the updated profile.
   * @example await client.users.updateMe({ statusText: 'In a meeting', statusEmoji: '📅' });
   * @throws HearthError VALIDATION_FAILED (a blank or too long display name, a status over 140 characters, a
   * status emoji that is not one emoji)
   */
  async updateMe(body: UpdateMeBody): Promise<Me> {
    const me = await this.client.http.call('updateMe', { body });
    this.client.state.me = me;
    this.client.changed();
    return me;
  }

  /**
   * Turns sharing read receipts on or off (off also hides everyone else's).
   * @example await client.users.setReadReceipts(false);
   * @throws HearthError only the common ones (see the class)
   */
  setReadReceipts(enabled: boolean): Promise<Me> {
    return this.updateMe({ readReceipts: enabled });
  }

  /**
   * Searches every user of the server by username or display name (substring, ignoring case), ordered by
   * username; an empty `q` lists everyone. Found profiles are cached for `cached()` and `get()`.
   * @example const users = await client.users.search('an', 10);
   * @throws HearthError RATE_LIMITED, VALIDATION_FAILED (`q` over 64 characters, `limit` outside 1 to 100)
   */
  async search(q: string, limit = 20): Promise<User[]> {
    const { users } = await this.client.http.call('searchUsers', { query: { q, limit } });
    for (const u of users) this.client.state.users.set(u.id, u);
    return users;
  }

  /**
   * A user's profile, from the local cache when known (so it may be as old as the last `user.updated` seen).
   * @example const author = await client.users.get(message.senderId);
   * @throws HearthError USER_NOT_FOUND, VALIDATION_FAILED (not a UUID)
   */
  async get(userId: string): Promise<User> {
    const cached = this.client.state.users.get(userId);
    if (cached) return cached;
    const user = await this.client.http.call('getUser', { params: { userId } });
    this.client.state.users.set(user.id, user);
    return user;
  }

  /**
   * Profiles of many users (each once, in the order first given), fetching the ones not cached in parallel.
   * @example const members = await client.users.getMany(conversationMembers.map((m) => m.userId));
   * @throws HearthError as `get()`; the first failure rejects the whole call
   */
  async getMany(userIds: readonly string[]): Promise<User[]> {
    return Promise.all([...new Set(userIds)].map((id) => this.get(id)));
  }

  /**
   * A user from the local cache, without fetching; undefined when not seen yet. Never throws.
   * @example const name = client.users.cached(userId)?.displayName ?? '…';
   */
  cached(userId: string): User | undefined {
    return this.client.state.users.get(userId);
  }
}
