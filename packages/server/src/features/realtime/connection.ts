import { CloseCode } from '@hearth/protocol';
import type { WebSocket } from 'ws';

/** One WebSocket and what the gateway knows about it. */
export class Connection {
  userId = '';
  sessionId = '';
  authenticated = false;
  /** An `auth` frame is being checked. */
  authenticating = false;
  /** The user shares read receipts; if not, they see no one else's read pointer either. */
  readReceipts = true;
  /** Bus topics this socket receives. */
  readonly topics = new Set<string>();
  /** People who share a conversation with the user, and how many conversations they share. */
  readonly contacts = new Map<string, number>();
  /** Set until `ready` is sent: user-topic events that arrived meanwhile wait here, in order. */
  pendingUserEvents: Array<() => void> | null = null;
  alive = true;
  private closing = false;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    private readonly sendBufferBytes: number,
    private readonly onOverflow: (conn: Connection) => void,
  ) {}

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  /**
   * Writes one frame, unless the peer has stopped reading: past the buffer limit the connection is closed with
   * SLOW_CONSUMER instead of letting the server's memory grow. The client resumes and catches up by sync.
   */
  send(raw: string): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.sendBufferBytes) {
      this.onOverflow(this);
      this.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
      return false;
    }
    this.ws.send(raw);
    return true;
  }

  /** Closes with a code; a peer that does not complete the close handshake within a second is cut off. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}
