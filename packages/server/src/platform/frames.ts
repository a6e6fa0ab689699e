import type { ClientFrame, ClientFrameType } from '@hearth/protocol';
import type { Actor } from './actor.js';

/** What a frame handler knows about its caller. */
export interface WsContext {
  actor: Actor;
  connectionId: string;
}

type FrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;
export type WsHandler<T extends ClientFrameType> = (ctx: WsContext, frame: FrameOf<T>) => unknown;

/**
 * Where features register the handlers of client frames, as `route()` (http.ts) registers REST endpoints. The
 * realtime gateway implements it; a feature's `*.ws.ts` sees only this, so features do not import the gateway.
 */
export interface FrameRouter {
  /** Registers the handler of one client frame type; its result is the `result` frame's data. */
  on<T extends ClientFrameType>(type: T, handler: WsHandler<T>): void;
}
