import { useEffect, useState } from 'react';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import type { Timeline } from './timeline.js';

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    window.addEventListener('focus', on);
    return () => {
      document.removeEventListener('visibilitychange', on);
      window.removeEventListener('focus', on);
    };
  }, []);
  return visible;
}

/** Marks the conversation read while its latest messages are on screen, the list is live and the tab visible. */
export function useMarkRead(conversationId: string, timeline: Timeline, atEnd: boolean): void {
  const client = useClient();
  const visible = useDocumentVisible();
  const readSeq = useClientState((c) => c.conversations.get(conversationId)?.me.readSeq ?? 0);
  const lastSeq = timeline.live ? (timeline.messages[timeline.messages.length - 1]?.seq ?? 0) : 0;
  useEffect(() => {
    if (!atEnd || !visible || lastSeq === 0) return;
    if (lastSeq > readSeq) client.messages.markRead(conversationId, lastSeq);
  }, [client, conversationId, atEnd, visible, lastSeq, readSeq]);
}
