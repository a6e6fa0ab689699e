import { HearthError, typeAllowed, type UploadedFile, type UploadLimits } from '@hearth/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from '../../app/client.js';

/** How many files one message carries at most (ATTACHMENTS_MAX in the protocol). */
export const TRAY_MAX = 10;

/**
 * One file in the composer's tray: uploading as soon as it is added (so that Send is quick), done with the
 * server's UploadedFile, or failed with the error to show (retry starts it again).
 */
export interface TrayItem {
  key: string;
  file: File;
  /** An object URL of an image, for its thumbnail in the tray; revoked when the item goes. */
  preview: string | null;
  state: 'uploading' | 'done' | 'failed';
  sent: number;
  uploaded: UploadedFile | null;
  error: HearthError | null;
  voice?: { durationMs: number; waveform: number[] };
}

export interface Uploads {
  items: TrayItem[];
  /** Adds files (beyond TRAY_MAX they are left out and `overflow` says so) and starts their uploads. */
  add: (files: readonly File[], voice?: TrayItem['voice']) => void;
  /** Cancels an upload (the server deletes what it received) or takes a finished file out. */
  remove: (key: string) => void;
  retry: (key: string) => void;
  /** Empties the tray after a send: uploads in flight are cancelled, finished files stay on the server. */
  clear: () => void;
  overflow: boolean;
  /** All files uploaded, none failed: the message can be sent. */
  ready: boolean;
  uploading: boolean;
}

let counter = 0;

/** Refuses before uploading what the server announced it would refuse (size, type); the server checks again. */
function precheck(file: File, limits: UploadLimits): HearthError | null {
  if (file.size === 0) return new HearthError('FILE_INVALID', 'empty');
  if (limits.maxUploadBytes !== undefined && file.size > limits.maxUploadBytes) return new HearthError('FILE_TOO_LARGE', 'too large', { maxBytes: limits.maxUploadBytes });
  if (file.type && !typeAllowed(file.type, limits.allowedTypes)) return new HearthError('FILE_TYPE_NOT_ALLOWED', 'type');
  return null;
}

/** The files attached to the message being written in one conversation, with their uploads. */
export function useUploads(conversationId: string): Uploads {
  const client = useClient();
  const [items, setItems] = useState<TrayItem[]>([]);
  const [overflow, setOverflow] = useState(false);
  const aborts = useRef(new Map<string, AbortController>());
  // The items as last set, for callbacks that must not run side effects inside a state updater.
  const current = useRef<TrayItem[]>([]);

  const patch = useCallback((key: string, change: Partial<TrayItem>) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...change } : i))), []);

  const start = useCallback(
    (item: TrayItem) => {
      const abort = new AbortController();
      aborts.current.set(item.key, abort);
      patch(item.key, { state: 'uploading', sent: 0, error: null });
      void client.files
        .limits()
        .then((limits) => {
          const refused = precheck(item.file, limits);
          if (refused) throw refused;
          return client.files.upload(conversationId, item.file, {
            signal: abort.signal,
            onProgress: (sent) => patch(item.key, { sent }),
            ...(item.voice ? { voice: item.voice } : {}),
          });
        })
        .then(
          (uploaded) => patch(item.key, { state: 'done', uploaded, sent: item.file.size }),
          (err: unknown) => {
            if (abort.signal.aborted) return;
            patch(item.key, { state: 'failed', error: err instanceof HearthError ? err : new HearthError('NETWORK_ERROR', String(err)) });
          },
        )
        .finally(() => aborts.current.delete(item.key));
    },
    [client, conversationId, patch],
  );

  const add = useCallback(
    (files: readonly File[], voice?: TrayItem['voice']) => {
      const room = TRAY_MAX - current.current.length;
      setOverflow(files.length > room);
      const added = files.slice(0, Math.max(0, room)).map(
        (file): TrayItem => ({
          key: `f${++counter}`,
          file,
          preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
          state: 'uploading',
          sent: 0,
          uploaded: null,
          error: null,
          ...(voice ? { voice } : {}),
        }),
      );
      current.current = [...current.current, ...added];
      setItems((list) => [...list, ...added]);
      added.forEach(start);
    },
    [start],
  );

  const drop = useCallback((keep: (i: TrayItem) => boolean) => {
    for (const i of current.current.filter((i) => !keep(i))) {
      aborts.current.get(i.key)?.abort();
      if (i.preview) URL.revokeObjectURL(i.preview);
    }
    current.current = current.current.filter(keep);
    setItems((list) => list.filter(keep));
    setOverflow(false);
  }, []);

  const remove = useCallback((key: string) => drop((i) => i.key !== key), [drop]);
  const clear = useCallback(() => drop(() => false), [drop]);
  const retry = useCallback(
    (key: string) => {
      const item = current.current.find((i) => i.key === key);
      if (item) start(item);
    },
    [start],
  );

  // Another conversation, or leaving the screen: what was being attached here goes.
  useEffect(() => () => clear(), [conversationId, clear]);

  const ready = items.length > 0 && items.every((i) => i.state === 'done');
  const uploading = items.some((i) => i.state === 'uploading');
  // One object while nothing changes: the composer is memoised, and a new message must not re-render it.
  return useMemo(() => ({ items, add, remove, retry, clear, overflow, ready, uploading }), [items, add, remove, retry, clear, overflow, ready, uploading]);
}
