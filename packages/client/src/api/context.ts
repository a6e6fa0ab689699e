import type { ClientFrame, Conversation } from '@hearth/protocol';
import type { z } from 'zod';
import type { HttpTransport } from '../http.js';
import type { Outbox } from '../outbox.js';
import type { ClientState } from '../state.js';

/**
 * What the API namespaces use of the client; `HearthClient` provides it. Declared here, not taken from
 * `HearthClient`, so that the namespaces do not depend on the class that builds them (no import cycle).
 * @example constructor(private readonly client: ClientContext) {}
 */
export interface ClientContext {
  readonly http: HttpTransport;
  readonly state: ClientState;
  readonly outbox: Outbox;
  /** Emits `change`. Never throws. */
  changed(): void;
  /** Stops the socket, forgets the token and emits `signedOut`. Never throws. */
  endSession(reason: 'signed-out' | 'revoked' | 'unauthenticated'): void;
  /** Records a conversation the REST API returned, unless the event stream already brought a newer one. */
  adoptConversation(conversation: Conversation): void;
  /**
   * Sends a frame over the socket when connected, else (also when the socket drops first) calls `fallback`.
   * @throws HearthError from the socket or from `fallback`
   */
  viaSocketOr<T>(frame: ClientFrame, fallback: () => Promise<T>, schema?: z.ZodType<T>): Promise<T>;
}
