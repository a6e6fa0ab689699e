import type { Me, UpdateMeBody, User } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/** Profiles and the user directory. */
export class UsersApi {
  constructor(private readonly client: ClientContext) {}

  /** The signed-in user as last seen (undefined before sign-in). */
  get me(): Me | undefined {
    return this.client.state.me;
  }

  /** Updates the caller's profile or settings (display name, status, read receipts); other devices follow. */
  async updateMe(body: UpdateMeBody): Promise<Me> {
    const me = await this.client.http.call('updateMe', { body });
    this.client.state.me = me;
    this.client.changed();
    return me;
  }

  /** Turns sharing read receipts on or off (off also hides everyone else's). */
  setReadReceipts(enabled: boolean): Promise<Me> {
    return this.updateMe({ readReceipts: enabled });
  }

  /** Searches the directory by username or display name. */
  async search(q: string, limit = 20): Promise<User[]> {
    const { users } = await this.client.http.call('searchUsers', { query: { q, limit } });
    for (const u of users) this.client.state.users.set(u.id, u);
    return users;
  }

  /** A user's profile, from the local cache when known. @throws HearthError USER_NOT_FOUND */
  async get(userId: string): Promise<User> {
    const cached = this.client.state.users.get(userId);
    if (cached) return cached;
    const user = await this.client.http.call('getUser', { params: { userId } });
    this.client.state.users.set(user.id, user);
    return user;
  }

  /** Profiles of many users, fetching the ones not cached. */
  async getMany(userIds: readonly string[]): Promise<User[]> {
    return Promise.all([...new Set(userIds)].map((id) => this.get(id)));
  }

  /** A user from the local cache, without fetching. */
  cached(userId: string): User | undefined {
    return this.client.state.users.get(userId);
  }
}
