/*
 * Activity: whether this device is in use, as the server should know it (the `presence` frame, active or idle).
 *
 * Owns the idle flag and the timer that turns the device idle after `idleAfterMs` without activity.
 * Invariants:
 * - A frame is sent only when the flag changes, so reporting activity on every input event costs nothing.
 * - The server starts every connection active: an idle device says so again after each reconnect (`resend`).
 * - Offline, the flag still changes; only the frame is lost, and `resend` makes up for an idle one.
 */
import type { Socket } from './socket.js';

/**
 * Reports this device active or idle; `HearthClient` owns one. Never throws.
 * @example activity.reportActivity(); // on input events
 */
export class ActivityReporter {
  private idle = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** `idleAfterMs` 0 disables going idle by itself. */
  constructor(
    private readonly socket: Socket,
    private readonly idleAfterMs: number,
  ) {}

  /** The person used the device: active again if it was idle, and the idle countdown restarts. */
  reportActivity(): void {
    if (this.idle) {
      this.idle = false;
      this.socket.send({ type: 'presence', state: 'active' });
    }
    this.restartTimer();
  }

  /** Sets the flag explicitly (window focus); the countdown restarts when active. */
  setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.socket.send({ type: 'presence', state: idle ? 'idle' : 'active' });
    if (!idle) this.restartTimer();
  }

  /** After a (re)connect: tells the new connection the device is idle, if it is. */
  resend(): void {
    if (this.idle) this.socket.send({ type: 'presence', state: 'idle' });
  }

  /** Starts (or restarts) the countdown to idle. */
  restartTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.idleAfterMs > 0) this.idleTimer = setTimeout(() => this.setIdle(true), this.idleAfterMs);
  }

  /** Stops the countdown. */
  close(): void {
    clearTimeout(this.idleTimer);
  }
}
