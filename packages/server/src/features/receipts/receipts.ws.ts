import type { FrameRouter } from '../../platform/frames.js';
import type { ReceiptsService } from './receipts.service.js';

export function registerReceiptsFrames(frames: FrameRouter, receipts: ReceiptsService): void {
  frames.on('receipt', ({ actor }, f) =>
    receipts.update(actor, f.conversationId, {
      ...(f.deliveredSeq !== undefined ? { deliveredSeq: f.deliveredSeq } : {}),
      ...(f.readSeq !== undefined ? { readSeq: f.readSeq } : {}),
    }),
  );
}
