import { log, sleep } from './log.js';
import { Samples } from './stats.js';

/** Where a client sends, and which slot it occupies in its conversation's delivery bookkeeping. */
export interface Seat {
  conversationId: string;
  /** This client's position among the conversation's members (0-based). */
  slot: number;
  /** Number of members of the conversation. */
  size: number;
}

interface Sent {
  sentAt: number;
  senderSlot: number;
  /** 0 waiting, 1 acknowledged, 2 failed. */
  state: 0 | 1 | 2;
  /** Receipts of this message by conversation slot (the sender's own slot counts its echo). */
  recv: Uint8Array;
}

/**
 * Bookkeeping of every message of a run: when it was sent, whether it was acknowledged, and which members
 * received it how many times. Figures for throughput and latency only count what happens inside the measured
 * window; the exactly-once check covers every message of the run.
 */
export class Tracker {
  private readonly messages = new Map<string, Sent>();
  private windowStart = Infinity;
  private windowEnd = Infinity;

  /** Whole-run counters. */
  totalSent = 0;
  totalAcked = 0;
  totalFailed = 0;
  /** Recipient deliveries (not counting echoes to the sender), first receipt of each (message, member). */
  totalDelivered = 0;
  duplicates = 0;
  echoes = 0;
  duplicateEchoes = 0;
  /** message.created events whose clientId the benchmark never sent. */
  unknown = 0;
  disconnects = 0;
  readonly errors: Record<string, number> = {};

  /** Measured-window counters. */
  sentInWindow = 0;
  ackedInWindow = 0;
  deliveredInWindow = 0;
  readonly latency = new Samples();
  readonly ackLatency = new Samples();

  setWindow(start: number, end: number): void {
    this.windowStart = start;
    this.windowEnd = end;
  }

  private inWindow(t: number): boolean {
    return t >= this.windowStart && t < this.windowEnd;
  }

  sent(clientId: string, seat: Seat, sentAt: number): void {
    this.messages.set(clientId, { sentAt, senderSlot: seat.slot, state: 0, recv: new Uint8Array(seat.size) });
    this.totalSent++;
    if (this.inWindow(sentAt)) this.sentInWindow++;
  }

  /** Returns true when `rid` named a pending send. */
  acked(rid: string, now: number): boolean {
    const m = this.messages.get(rid);
    if (!m || m.state !== 0) return false;
    m.state = 1;
    this.totalAcked++;
    if (this.inWindow(now)) {
      this.ackedInWindow++;
      this.ackLatency.add(now - m.sentAt);
    }
    return true;
  }

  failed(rid: string | undefined, code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    if (rid === undefined) return;
    const m = this.messages.get(rid);
    if (m && m.state === 0) {
      m.state = 2;
      this.totalFailed++;
    }
  }

  received(seat: Seat, clientId: string, own: boolean, text: string, now: number): void {
    const m = this.messages.get(clientId);
    if (!m) {
      this.unknown++;
      return;
    }
    const slot = seat.slot;
    const count = m.recv[slot]!;
    m.recv[slot] = count + 1;
    if (own) {
      if (count === 0) this.echoes++;
      else this.duplicateEchoes++;
      return;
    }
    if (count > 0) {
      this.duplicates++;
      return;
    }
    this.totalDelivered++;
    if (this.inWindow(now)) {
      this.deliveredInWindow++;
      // End-to-end latency from the send time carried in the message text.
      this.latency.add(now - parseFloat(text));
    }
  }

  disconnect(): void {
    this.disconnects++;
  }

  /** Recipient deliveries owed by the acknowledged messages so far. */
  private expectedDeliveries(): number {
    let n = 0;
    for (const m of this.messages.values()) if (m.state === 1) n += m.recv.length - 1;
    return n;
  }

  /**
   * After the senders stop: waits until every send is answered and every acknowledged message has reached all
   * its recipients (or `timeoutMs` passes), then a little longer to catch late duplicates.
   */
  async drain(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = this.totalSent - this.totalAcked - this.totalFailed;
      if (pending === 0 && this.totalDelivered >= this.expectedDeliveries()) break;
      if (Date.now() > deadline) {
        log(`drain timed out: ${pending} sends unanswered, ${this.expectedDeliveries() - this.totalDelivered} deliveries missing`);
        break;
      }
      await sleep(100);
    }
    await sleep(500);
  }

  /** The exactly-once check over the whole run. */
  verify(): { lost: number; duplicates: number; deliveredUnacked: number; unanswered: number } {
    let lost = 0;
    let deliveredUnacked = 0;
    let unanswered = 0;
    for (const m of this.messages.values()) {
      if (m.state === 0) unanswered++;
      for (let slot = 0; slot < m.recv.length; slot++) {
        if (slot === m.senderSlot) continue;
        if (m.state === 1 && m.recv[slot] === 0) lost++;
        if (m.state !== 1 && m.recv[slot]! > 0) deliveredUnacked++;
      }
    }
    return { lost, duplicates: this.duplicates, deliveredUnacked, unanswered };
  }
}
