import type { AuthResult, Me, Session, SignUpBody } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/**
 * Accounts and sessions, as `client.auth`. Besides the codes listed on each method, calls reject with the
 * transport's HearthErrors (NETWORK_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR; see `HttpTransport.call`), and those
 * that need a session with UNAUTHENTICATED when the token is missing or no longer valid.
 * @example await client.auth.signIn('ana', 'correct horse battery');
 */
export class AuthApi {
  /**
   * Made by `HearthClient`; use `client.auth`. Never throws.
   * @example const auth = new AuthApi(client);
   */
  constructor(private readonly client: ClientContext) {}

  /**
   * Creates an account and signs in with it (the first account of a server becomes its administrator). The token
   * is kept in `client.token` (with `session: 'cookie'`, the server keeps it in a cookie instead); call `connect()`
   * next.
   * @example const me = await client.auth.signUp({ username: 'ana', displayName: 'Ana', password: '…' });
   * @throws HearthError USERNAME_TAKEN, VALIDATION_FAILED (a bad username, display name or password), RATE_LIMITED
   * (too many sign-ups from one address)
   */
  async signUp(body: SignUpBody): Promise<Me> {
    return this.adopt(await this.client.http.call('signUp', { body: { ...body, ...this.cookieRequest() } }));
  }

  /**
   * Signs in; the token is kept in `client.token` (with `session: 'cookie'`, in the server's cookie). Call
   * `connect()` next. `deviceName` labels the session in
   * `sessions()` (by default the server derives one from the User-Agent).
   * @example const me = await client.auth.signIn('ana', 'correct horse battery', 'Work laptop');
   * @throws HearthError INVALID_CREDENTIALS (for a wrong password and an unknown user alike), RATE_LIMITED (after
   * repeated failures for the username or the address; `details.retryAfterMs` says how long)
   */
  async signIn(username: string, password: string, deviceName?: string): Promise<Me> {
    const body = { username, password, ...(deviceName ? { deviceName } : {}), ...this.cookieRequest() };
    return this.adopt(await this.client.http.call('signIn', { body }));
  }

  /**
   * Ends this session on the server and locally. The local end always happens, even when the call fails: the
   * socket stops, the token is forgotten and `signedOut` is emitted with reason `signed-out`.
   * @example await client.auth.signOut();
   * @throws HearthError from the server call, after the local sign-out (UNAUTHENTICATED when the session had
   * already ended, NETWORK_ERROR when offline)
   */
  async signOut(): Promise<void> {
    try {
      await this.client.http.call('signOut', {});
    } finally {
      this.client.endSession('signed-out');
    }
  }

  /**
   * The user's signed-in devices; `current` marks this one.
   * @example const others = (await client.auth.sessions()).filter((s) => !s.current);
   * @throws HearthError only the common ones (see the class)
   */
  async sessions(): Promise<Session[]> {
    return (await this.client.http.call('listSessions', {})).sessions;
  }

  /**
   * Signs another device out; its socket closes at once. Given this device's own session, it signs this device
   * out too (the socket closes as revoked and `signedOut` follows with reason `revoked`).
   * @example await client.auth.revokeSession(session.id);
   * @throws HearthError SESSION_NOT_FOUND (also for a session of someone else), VALIDATION_FAILED (not a UUID)
   */
  async revokeSession(sessionId: string): Promise<void> {
    await this.client.http.call('revokeSession', { params: { sessionId } });
  }

  /**
   * Changes the password; every other device is signed out, this one stays signed in.
   * @example await client.auth.changePassword('correct horse battery', 'battery staple horse');
   * @throws HearthError INVALID_CREDENTIALS (the current password is wrong), RATE_LIMITED (after repeated wrong
   * passwords), VALIDATION_FAILED (a new password shorter than 8 characters)
   */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.client.http.call('changePassword', { body: { currentPassword, newPassword } });
  }

  /** With a cookie session, sign-up and sign-in ask the server to set the cookie rather than return the token. */
  private cookieRequest(): { cookie?: true } {
    return this.client.http.cookieSession ? { cookie: true } : {};
  }

  private adopt(result: AuthResult): Me {
    this.client.http.token = result.token;
    this.client.state.me = result.me;
    this.client.changed();
    return result.me;
  }
}
