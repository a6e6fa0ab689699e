/*
 * Typing indicators, both ways: this device's own (sent to the server, throttled, stopped after a pause) and
 * other people's (announced as `typers`, and again when one of them expires).
 *
 * Owns, by conversation: when "typing" was last sent and the timer that sends "stopped" after TYPING_IDLE_STOP_MS
 * without a keystroke; and the timer that fires at the next expiry among the typers held in `ClientState.typing`.
 * Invariants:
 * - "typing" goes out at most once per third of the server's time to live while keystrokes continue, so the
 *   indicator never lapses on the server while the person types, and never costs a frame per keystroke.
 * - "stopped" goes out only for a conversation where this device said "typing".
 * - Every change of a conversation's typers is announced with the whole current list; at most one expiry timer per
 *   conversation is pending, set for the earliest expiry.
 * - Offline nothing is sent and nothing is queued: an indicator is only worth something now.
 */
import type { Announce } from './client-events.js';
import type { Socket } from './socket.js';
import type { ClientState } from './state.js';

const TYPING_IDLE_STOP_MS = 5_000;

/**
 * Whether a keystroke must (re)send "typing": nothing sent yet, or a third of the time to live has passed since.
 * Never throws.
 * @example isTypingRenewDue(undefined, now, 6000) // true
 */
export function isTypingRenewDue(lastSentAt: number | undefined, now: number, ttlMs: number): boolean {
  return lastSentAt === undefined || now - lastSentAt >= ttlMs / 3;
}

/**
 * The earliest expiry (local epoch ms) among a conversation's typers; undefined when nobody types. Never throws.
 * @example nextTypingExpiry(new Map([['u1', 1_000], ['u2', 900]])) // 900
 */
export function nextTypingExpiry(typers: ReadonlyMap<string, number> | undefined): number | undefined {
  const next = Math.min(...(typers?.values() ?? []));
  return Number.isFinite(next) ? next : undefined;
}

/**
 * Sends this device's typing indicator and times other people's; `HearthClient` owns one. Never throws.
 * @example indicators.typing(conversationId); // on every keystroke
 */
export class TypingIndicators {
  private readonly sent = new Map<string, { at: number; stopTimer: ReturnType<typeof setTimeout> }>();
  private readonly expiry = new Map<string, ReturnType<typeof setTimeout>>();

  /** `ttlMs` is read at each keystroke: the server's limit once connected. */
  constructor(
    private readonly state: ClientState,
    private readonly socket: Socket,
    private readonly ttlMs: () => number,
    private readonly announce: Announce,
  ) {}

  /** A keystroke in a conversation's composer. */
  typing(conversationId: string): void {
    const now = Date.now();
    const sent = this.sent.get(conversationId);
    if (sent) clearTimeout(sent.stopTimer);
    const renew = isTypingRenewDue(sent?.at, now, this.ttlMs());
    if (renew) this.socket.send({ type: 'typing', conversationId, active: true });
    this.sent.set(conversationId, {
      at: renew || !sent ? now : sent.at,
      stopTimer: setTimeout(() => this.stop(conversationId), TYPING_IDLE_STOP_MS),
    });
  }

  /** Clears this device's indicator in a conversation, if it had one. */
  stop(conversationId: string): void {
    const sent = this.sent.get(conversationId);
    if (!sent) return;
    clearTimeout(sent.stopTimer);
    this.sent.delete(conversationId);
    this.socket.send({ type: 'typing', conversationId, active: false });
  }

  /** Who is typing in a conversation now, other people only. */
  typers(conversationId: string): string[] {
    return this.state.typers(conversationId, Date.now());
  }

  /** The typers of a conversation may have changed: announces the current list and times the next expiry. */
  refresh(conversationId: string): void {
    const now = Date.now();
    this.announce('typers', { conversationId, userIds: this.state.typers(conversationId, now) });
    clearTimeout(this.expiry.get(conversationId));
    const next = nextTypingExpiry(this.state.typing.get(conversationId));
    if (next !== undefined) this.expiry.set(conversationId, setTimeout(() => this.refresh(conversationId), next - now + 5));
    else this.expiry.delete(conversationId);
  }

  /** The connection went down: nobody's indicator can be trusted to end, so all end now. */
  forgetAll(): void {
    for (const conversationId of [...this.state.typing.keys()]) {
      this.state.typing.delete(conversationId);
      this.refresh(conversationId);
    }
  }

  /** Stops every timer; nothing more is sent. */
  close(): void {
    for (const t of this.sent.values()) clearTimeout(t.stopTimer);
    for (const t of this.expiry.values()) clearTimeout(t);
  }
}
