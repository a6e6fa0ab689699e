/**
 * A small typed event emitter that works the same in browsers and Node. Listeners run synchronously, in the order
 * they were added; one that throws does not stop the others (its error is rethrown in a microtask).
 * @example
 * class Ticker extends Emitter<{ tick: number }> {
 *   start() { setInterval(() => this.emit('tick', Date.now()), 1000); }
 * }
 */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /**
   * Listens for an event; returns the function that stops listening. Adding the same function twice adds it once.
   * Never throws.
   * @example const off = client.on('message.created', ({ message }) => render(message)); off();
   */
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Listens for the next occurrence only; the returned function cancels it before it fires. Never throws.
   * @example client.once('synced', ({ serverTime }) => console.log('caught up at', serverTime));
   */
  once<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    const off = this.on(type, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /**
   * Calls every listener of `type` with `payload`. Never throws: a listener's error is rethrown asynchronously.
   * @example this.emit('connection', 'online');
   */
  protected emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch (err) {
        // A listener's bug must not stop the others or the client's own processing.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
