import type { HearthClient, Message } from '@hearth/client';
import { toggleReaction } from '@hearth/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, useClientEvent } from '../../app/client.js';
import { windowSnapshot } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';

const PAGE = 100;
const NO_MESSAGES: readonly Message[] = [];
/** Targets this close to the window's start are reached by paging the window back; further ones by a jump. */
const NEAR_SEQS = 400;

interface Slice {
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

/**
 * What the message list shows. Normally the SDK's window (live: it reaches the latest message and grows with new
 * ones). After a jump far back (a reply's original, the first unread), a detached slice fetched with page(),
 * paged in both directions and patched by live edits, deletes and reactions; once it meets the window it is
 * joined onto it (messages.joinHistory) and the list follows the window again.
 */
export interface Timeline {
  /** A new array whenever a message was added, removed or replaced. */
  messages: readonly Message[];
  ready: boolean;
  live: boolean;
  hasOlder: boolean;
  hasNewer: boolean;
  loading: 'older' | 'newer' | 'jump' | null;
  loadOlder(): Promise<void>;
  loadNewer(): Promise<void>;
  /** Makes sure the message with `seq` is in `messages`; resolves whether it is. */
  reveal(seq: number): Promise<boolean>;
  toLatest(): void;
}

function patchSlice(slice: Slice, messageId: string, patch: (m: Message) => Message): Slice {
  const i = slice.messages.findIndex((m) => m.id === messageId);
  if (i < 0) return slice;
  const messages = [...slice.messages];
  messages[i] = patch(messages[i]!);
  return { ...slice, messages };
}

async function fetchAround(client: HearthClient, conversationId: string, seq: number): Promise<Slice> {
  const [before, after] = await Promise.all([
    client.messages.page(conversationId, { before: seq + 1, limit: 40 }),
    client.messages.page(conversationId, { after: seq, limit: 40 }),
  ]);
  return { messages: [...before.messages, ...after.messages], hasOlder: before.hasMore, hasNewer: after.hasMore };
}

export function useTimeline(conversationId: string): Timeline {
  const client = useClient();
  const window = useClientState((c) => windowSnapshot(c, conversationId));
  const [slice, setSlice] = useState<Slice | null>(null);
  const [loading, setLoading] = useState<Timeline['loading']>(null);
  const busy = useRef(false);
  const sliceRef = useRef(slice);
  sliceRef.current = slice;

  useEffect(() => {
    if (window) return;
    let cancelled = false;
    const load = (): void =>
      void client.messages.loadLatest(conversationId, PAGE).catch(() => {
        if (!cancelled) setTimeout(load, 3000);
      });
    load();
    return () => {
      cancelled = true;
    };
  }, [client, conversationId, window]);

  // A detached slice follows edits, deletes and reactions like the window does.
  const patch = useCallback((conversation: string, messageId: string, fn: (m: Message) => Message) => {
    if (conversation !== conversationId || !sliceRef.current) return;
    setSlice((s) => (s ? patchSlice(s, messageId, fn) : s));
  }, [conversationId]);
  useClientEvent('message.edited', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, content: e.content, editedAt: e.editedAt })));
  useClientEvent('message.deleted', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, content: null, deletedAt: e.deletedAt, reactions: [] })));
  useClientEvent('reaction.added', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, reactions: toggleReaction(m.reactions, e.emoji, e.userId, true) })));
  useClientEvent('reaction.removed', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, reactions: toggleReaction(m.reactions, e.emoji, e.userId, false) })));
  useClientEvent('refetch', (e) => {
    if (e.conversationId === conversationId) setSlice(null);
  });

  // One load at a time. Scroll-driven loads are dropped while another runs (the next scroll asks again); a jump
  // waits for the running load and then goes.
  const current = useRef<Promise<void>>(Promise.resolve());
  const run = useCallback(async (kind: NonNullable<Timeline['loading']>, job: () => Promise<void>) => {
    while (busy.current) {
      if (kind !== 'jump') return;
      await current.current;
    }
    busy.current = true;
    setLoading(kind);
    const done = (async () => {
      try {
        await job();
      } catch {
        // Network trouble: the list stays as it is and the next scroll tries again.
      } finally {
        busy.current = false;
        setLoading(null);
      }
    })();
    current.current = done;
    await done;
  }, []);

  /** Joins a slice onto the window when it reaches it; returns whether it did. */
  const tryJoin = useCallback(
    async (s: Slice): Promise<boolean> => {
      if (client.messages.joinHistory(conversationId, s.messages, s.hasOlder)) return true;
      if (s.hasNewer) return false;
      // The slice reaches the latest message: the window may simply not be loaded yet.
      await client.messages.loadLatest(conversationId, PAGE);
      return Boolean(client.messages.joinHistory(conversationId, s.messages, s.hasOlder));
    },
    [client, conversationId],
  );

  const loadOlder = useCallback(
    () =>
      run('older', async () => {
        const s = sliceRef.current;
        if (!s) {
          if (client.messages.window(conversationId)?.hasOlder) await client.messages.loadOlder(conversationId, PAGE);
          return;
        }
        const first = s.messages[0];
        if (!s.hasOlder || !first) return;
        const page = await client.messages.page(conversationId, { before: first.seq, limit: PAGE });
        setSlice((cur) => (cur === s ? { ...s, messages: [...page.messages, ...s.messages], hasOlder: page.hasMore } : cur));
      }),
    [client, conversationId, run],
  );

  const loadNewer = useCallback(
    () =>
      run('newer', async () => {
        const s = sliceRef.current;
        const last = s?.messages[s.messages.length - 1];
        if (!s || !last) return;
        const page = await client.messages.page(conversationId, { after: last.seq, limit: PAGE });
        const next: Slice = { messages: [...s.messages, ...page.messages], hasOlder: s.hasOlder, hasNewer: page.hasMore };
        if (await tryJoin(next)) setSlice(null);
        else setSlice((cur) => (cur === s ? next : cur));
      }),
    [client, conversationId, run, tryJoin],
  );

  const reveal = useCallback(
    async (seq: number): Promise<boolean> => {
      const holds = () => {
        const list = sliceRef.current?.messages ?? client.messages.window(conversationId)?.messages ?? [];
        return list.some((m) => m.seq === seq);
      };
      if (holds()) return true;
      await run('jump', async () => {
        const w = client.messages.window(conversationId);
        const first = w?.messages[0];
        if (!sliceRef.current && w && first && seq < first.seq && first.seq - seq <= NEAR_SEQS) {
          // Close to what is loaded: page the window back, staying live.
          for (let i = 0; i < 6 && (client.messages.window(conversationId)?.messages[0]?.seq ?? 0) > seq; i++) {
            const next = await client.messages.loadOlder(conversationId, PAGE);
            if (!next.hasOlder) break;
          }
          return;
        }
        const s = await fetchAround(client, conversationId, seq);
        if (await tryJoin(s)) setSlice(null);
        else setSlice(s);
      });
      return holds();
    },
    [client, conversationId, run, tryJoin],
  );

  const toLatest = useCallback(() => setSlice(null), []);

  if (slice) {
    return {
      messages: slice.messages,
      ready: true,
      live: false,
      hasOlder: slice.hasOlder,
      hasNewer: slice.hasNewer,
      loading,
      loadOlder,
      loadNewer,
      reveal,
      toLatest,
    };
  }
  return {
    messages: window?.messages ?? NO_MESSAGES,
    ready: window !== undefined,
    live: true,
    hasOlder: window?.hasOlder ?? false,
    hasNewer: false,
    loading,
    loadOlder,
    loadNewer,
    reveal,
    toLatest,
  };
}
