import type { Gateway } from '../realtime/gateway.js';
import type { ReceiptsService } from './receipts.service.js';

export function registerReceiptsFrames(gateway: Gateway, receipts: ReceiptsService): void {
  gateway.on('receipt', ({ actor }, f) =>
    receipts.update(actor, f.conversationId, {
      ...(f.deliveredSeq !== undefined ? { deliveredSeq: f.deliveredSeq } : {}),
      ...(f.readSeq !== undefined ? { readSeq: f.readSeq } : {}),
    }),
  );
}
