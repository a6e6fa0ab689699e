import { useMemo, useState } from 'react';
import { equalItems, pendingSnapshot } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { buildRows, type Row } from './rows.js';
import type { Timeline } from './timeline.js';

export interface ListRows {
  rows: Row[];
  /** The latest message of mine (for "Seen by" in groups). */
  lastMineId: string | null;
  /** Messages from others arrived after the read position the conversation was opened at. */
  hasUnread: boolean;
  /** The read position when the conversation was opened, until `forgetUnread()`. */
  readSeqAtOpen: number | null;
  /** Drops the "new messages" divider (after sending: what came before is answered). */
  forgetUnread: () => void;
}

/** The list's rows: the timeline's messages, then the outbox's, with the "new messages" divider where it goes. */
export function useListRows(conversationId: string, meId: string | undefined, timeline: Timeline): ListRows {
  const readSeq = useClientState((c) => c.conversations.get(conversationId)?.me.readSeq ?? 0);
  const lastMessage = useClientState((c) => c.conversations.get(conversationId)?.lastMessage);
  const pending = useClientState((c) => pendingSnapshot(c, conversationId), equalItems);
  const [readSeqAtOpen, setReadSeqAtOpen] = useState<number | null>(readSeq);
  const hasUnread = readSeqAtOpen !== null && (lastMessage?.seq ?? 0) > readSeqAtOpen && lastMessage?.senderId !== meId;
  const { messages, hasOlder, hasNewer } = timeline;
  const rows = useMemo(
    () => buildRows({ messages, pending, meId, readSeqAtOpen: hasUnread ? readSeqAtOpen : null, hasOlder, hasNewer }),
    [messages, hasOlder, hasNewer, pending, meId, readSeqAtOpen, hasUnread],
  );
  const lastMineId = useMemo(() => {
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      if (r.kind === 'message' && r.message.senderId === meId && !r.message.deletedAt) return r.message.id;
    }
    return null;
  }, [rows, meId]);
  return { rows, lastMineId, hasUnread, readSeqAtOpen, forgetUnread: () => setReadSeqAtOpen(null) };
}
