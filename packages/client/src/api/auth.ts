import type { AuthResult, Me, Session, SignUpBody } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/** Accounts and sessions. */
export class AuthApi {
  constructor(private readonly client: ClientContext) {}

  /**
   * Creates an account and signs in with it (the first account of a server becomes its administrator).
   * @example const me = await client.auth.signUp({ username: 'ana', displayName: 'Ana', password: '…' });
   * @throws HearthError USERNAME_TAKEN, VALIDATION_FAILED, RATE_LIMITED
   */
  async signUp(body: SignUpBody): Promise<Me> {
    return this.adopt(await this.client.http.call('signUp', { body }));
  }

  /**
   * Signs in; the token is kept in `client.token`.
   * @throws HearthError INVALID_CREDENTIALS (for a wrong password and an unknown user alike), RATE_LIMITED
   */
  async signIn(username: string, password: string, deviceName?: string): Promise<Me> {
    return this.adopt(await this.client.http.call('signIn', { body: { username, password, ...(deviceName ? { deviceName } : {}) } }));
  }

  /** Ends this session on the server and locally. */
  async signOut(): Promise<void> {
    try {
      await this.client.http.call('signOut', {});
    } finally {
      this.client.endSession('signed-out');
    }
  }

  /** The user's signed-in devices; `current` marks this one. */
  async sessions(): Promise<Session[]> {
    return (await this.client.http.call('listSessions', {})).sessions;
  }

  /** Signs another device out; its socket closes at once. */
  async revokeSession(sessionId: string): Promise<void> {
    await this.client.http.call('revokeSession', { params: { sessionId } });
  }

  /** Changes the password; every other device is signed out. @throws HearthError INVALID_CREDENTIALS */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.client.http.call('changePassword', { body: { currentPassword, newPassword } });
  }

  private adopt(result: AuthResult): Me {
    this.client.http.token = result.token;
    this.client.state.me = result.me;
    this.client.changed();
    return result.me;
  }
}
