/**
 * Time source, injected so tests can control it: `now()` for timestamps, `after()` for the timers whose length is a
 * rule of the product (presence grace), so that a test moves time on instead of waiting for it.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock; the answer cancels it. A timer never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
