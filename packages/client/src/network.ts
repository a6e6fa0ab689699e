/*
 * The browser's network events, wired to the socket: reconnect as soon as the network returns, and drop a socket
 * the moment it goes away instead of waiting for a heartbeat to time out. Outside browsers (no global
 * addEventListener) there is nothing to watch.
 */
import type { Socket } from './socket.js';

type GlobalEvents = { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };

/**
 * Starts watching `online` and `offline` on the global object; returns the function that stops. Never throws.
 * @example const unwatch = watchNetwork(socket);
 */
export function watchNetwork(socket: Socket): () => void {
  const target = globalThis as GlobalEvents;
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
  const online = () => socket.reconnectNow();
  const offline = () => socket.drop();
  target.addEventListener('online', online);
  target.addEventListener('offline', offline);
  return () => {
    target.removeEventListener!('online', online);
    target.removeEventListener!('offline', offline);
  };
}
