import type { FrameRouter } from '../../platform/frames.js';
import type { PresenceService } from './presence.service.js';

export function registerPresenceFrames(frames: FrameRouter, presence: PresenceService): void {
  frames.on('presence', ({ actor, connectionId }, f) => presence.setIdle(actor.userId, connectionId, f.state === 'idle'));
}
