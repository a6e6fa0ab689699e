import type { Gateway } from '../realtime/gateway.js';
import type { PresenceService } from './presence.service.js';

export function registerPresenceFrames(gateway: Gateway, presence: PresenceService): void {
  gateway.on('presence', ({ actor, connectionId }, f) => presence.setIdle(actor.userId, connectionId, f.state === 'idle'));
}
