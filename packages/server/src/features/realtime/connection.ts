import type { Socket } from 'node:net';
import { CloseCode } from '@hearth/protocol';
import type { WebSocket } from 'ws';
import type { FrameBudget } from './frame-budget.js';

/** A frame already encoded as UTF-8 still goes out as a text frame. */
const TEXT_FRAME = { binary: false } as const;

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
  /** The session cookie the upgrade request carried, kept until the `auth` frame (which may then omit its token). */
  cookieToken: string | undefined;
  /** Set while the socket is being set up, until `ready` is sent: events that arrive meanwhile wait here, in order. */
  pendingEvents: Array<() => void> | null = null;
  /** `ready` has been sent: the socket receives events (and presence) from now on. */
  ready = false;
  alive = true;
  private closing = false;
  private readingPaused = false;
  private corked = false;
  private backlogAtCork = 0;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    private readonly socket: Socket,
    /** The frames this connection may still send; replaced by a larger one once authenticated. */
    public budget: FrameBudget,
    private readonly sendBufferBytes: number,
    private readonly onOverflow: (conn: Connection) => void,
  ) {}

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  /**
   * Writes one frame, unless the peer has stopped reading: when the output it had not taken by the start of this
   * turn of the event loop passes the buffer limit, the connection is closed with SLOW_CONSUMER instead of letting
   * the server's memory grow. The client resumes and catches up by sync. Output written in the current turn does
   * not count (an ack, an echo and a burst of deliveries are normal), up to a hard bound of four limits. `raw` is
   * JSON text, or its UTF-8 bytes when one event goes to several sockets (encoded once for all of them).
   */
  send(raw: string | Buffer): boolean {
    if (!this.isOpen) return false;
    const buffered = this.ws.bufferedAmount;
    const backlog = this.corked ? this.backlogAtCork : buffered;
    if (backlog > this.sendBufferBytes || buffered > this.sendBufferBytes * 4) {
      this.onOverflow(this);
      this.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
      return false;
    }
    // Frames written in one turn (an ack, an echo, several deliveries) leave in one system call: the socket is
    // corked at the first and uncorked once the turn's synchronous work is done.
    if (!this.corked) {
      this.corked = true;
      this.backlogAtCork = buffered;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (typeof raw === 'string') this.ws.send(raw);
    else this.ws.send(raw, TEXT_FRAME);
    if (!this.readingPaused && this.socket.writableNeedDrain) this.pauseReadingUntilDrained();
    return true;
  }

  /**
   * Stops reading the peer's frames while what was written to it has not drained. A client that sends requests
   * without reading the answers then makes the server do no more work for it: its requests wait in its own buffers,
   * and its sends block, instead of the server computing answers it will not read. Reading resumes on drain.
   */
  private pauseReadingUntilDrained(): void {
    this.readingPaused = true;
    this.ws.pause();
    this.socket.once('drain', () => {
      this.readingPaused = false;
      if (!this.closing) this.ws.resume();
    });
  }

  /** Closes with a code; a peer that does not complete the close handshake within a second is cut off. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}
