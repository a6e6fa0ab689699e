import type { HearthClient, Message } from '@hearth/client';
import { useCallback, useEffect, useMemo, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { useClient } from '../../app/client.js';
import { windowSnapshot, type WindowSnapshot } from '../../app/snapshots.js';
import { useClientState } from '../../app/store.js';
import { fetchAround, useDetachedSlice, type Slice } from './detachedSlice.js';

const PAGE = 100;
const NO_MESSAGES: readonly Message[] = [];
/** Targets this close to the window's start are reached by paging the window back; further ones by a jump. */
const NEAR_SEQS = 400;

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

type Loading = Timeline['loading'];
type Run = (kind: NonNullable<Loading>, job: () => Promise<void>) => Promise<void>;
type SliceState = { current: RefObject<Slice | null>; setSlice: Dispatch<SetStateAction<Slice | null>> };

/** The SDK's window of the conversation, loading the latest page whenever there is none (retrying after errors). */
function useLatestWindow(conversationId: string): WindowSnapshot | undefined {
  const client = useClient();
  const window = useClientState((c) => windowSnapshot(c, conversationId));
  const missing = window === undefined;
  useEffect(() => {
    if (!missing) return;
    let cancelled = false;
    const load = (): void =>
      void client.messages.loadLatest(conversationId, PAGE).catch(() => {
        if (!cancelled) setTimeout(load, 3000);
      });
    load();
    return () => {
      cancelled = true;
    };
  }, [client, conversationId, missing]);
  return window;
}

/**
 * One load at a time. Scroll-driven loads are dropped while another runs (the next scroll asks again); a jump
 * waits for the running load and then goes.
 */
function useLoadQueue(): { loading: Loading; run: Run } {
  const [loading, setLoading] = useState<Loading>(null);
  const busy = useRef(false);
  const current = useRef<Promise<void>>(Promise.resolve());
  const run = useCallback<Run>(async (kind, job) => {
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
  return { loading, run };
}

/** Joins a slice onto the window when it reaches it; returns whether it did. */
async function joinSlice(client: HearthClient, conversationId: string, s: Slice): Promise<boolean> {
  if (client.messages.joinHistory(conversationId, s.messages, s.hasOlder)) return true;
  if (s.hasNewer) return false;
  // The slice reaches the latest message: the window may simply not be loaded yet.
  await client.messages.loadLatest(conversationId, PAGE);
  return Boolean(client.messages.joinHistory(conversationId, s.messages, s.hasOlder));
}

/** Paging at either end: the window or the slice back, the slice forward until it joins the window. */
function usePaging(conversationId: string, { current, setSlice }: SliceState, run: Run): Pick<Timeline, 'loadOlder' | 'loadNewer'> {
  const client = useClient();
  const loadOlder = useCallback(
    () =>
      run('older', async () => {
        const s = current.current;
        if (!s) {
          if (client.messages.window(conversationId)?.hasOlder) await client.messages.loadOlder(conversationId, PAGE);
          return;
        }
        const first = s.messages[0];
        if (!s.hasOlder || !first) return;
        const page = await client.messages.page(conversationId, { before: first.seq, limit: PAGE });
        setSlice((cur) => (cur === s ? { ...s, messages: [...page.messages, ...s.messages], hasOlder: page.hasMore } : cur));
      }),
    [client, conversationId, run, current, setSlice],
  );
  const loadNewer = useCallback(
    () =>
      run('newer', async () => {
        const s = current.current;
        const last = s?.messages[s.messages.length - 1];
        if (!s || !last) return;
        const page = await client.messages.page(conversationId, { after: last.seq, limit: PAGE });
        const next: Slice = { messages: [...s.messages, ...page.messages], hasOlder: s.hasOlder, hasNewer: page.hasMore };
        if (await joinSlice(client, conversationId, next)) setSlice(null);
        else setSlice((cur) => (cur === s ? next : cur));
      }),
    [client, conversationId, run, current, setSlice],
  );
  return { loadOlder, loadNewer };
}

/** Brings a message far back into the list: by paging the window back when it is close, else by a detached slice. */
function useReveal(conversationId: string, { current, setSlice }: SliceState, run: Run): Timeline['reveal'] {
  const client = useClient();
  return useCallback(
    async (seq: number): Promise<boolean> => {
      const holds = () => (current.current?.messages ?? client.messages.window(conversationId)?.messages ?? []).some((m) => m.seq === seq);
      if (holds()) return true;
      await run('jump', async () => {
        const first = client.messages.window(conversationId)?.messages[0];
        if (!current.current && first && seq < first.seq && first.seq - seq <= NEAR_SEQS) {
          // Close to what is loaded: page the window back, staying live.
          for (let i = 0; i < 6 && (client.messages.window(conversationId)?.messages[0]?.seq ?? 0) > seq; i++) {
            const next = await client.messages.loadOlder(conversationId, PAGE);
            if (!next.hasOlder) break;
          }
          return;
        }
        const s = await fetchAround(client, conversationId, seq);
        if (await joinSlice(client, conversationId, s)) setSlice(null);
        else setSlice(s);
      });
      return holds();
    },
    [client, conversationId, run, current, setSlice],
  );
}

export function useTimeline(conversationId: string): Timeline {
  const window = useLatestWindow(conversationId);
  const { slice, current, setSlice } = useDetachedSlice(conversationId);
  const { loading, run } = useLoadQueue();
  const { loadOlder, loadNewer } = usePaging(conversationId, { current, setSlice }, run);
  const reveal = useReveal(conversationId, { current, setSlice }, run);
  const toLatest = useCallback(() => setSlice(null), [setSlice]);
  return useMemo(() => {
    const loaders = { loading, loadOlder, loadNewer, reveal, toLatest };
    if (slice) return { messages: slice.messages, ready: true, live: false, hasOlder: slice.hasOlder, hasNewer: slice.hasNewer, ...loaders };
    return { messages: window?.messages ?? NO_MESSAGES, ready: window !== undefined, live: true, hasOlder: window?.hasOlder ?? false, hasNewer: false, ...loaders };
  }, [slice, window, loading, loadOlder, loadNewer, reveal, toLatest]);
}
