import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { IconMic, IconPaperclip } from './icons.js';
import type { VoiceMeasure } from './measure.js';
import type { Uploads } from './useUploads.js';
import './media.css';

const VoiceRecorder = lazy(() => import('./VoiceRecorder.js'));

/** The composer's paperclip: picks files to attach (several at once). */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="icon-btn composer-attach" aria-label={t('media.attach')} disabled={disabled} onClick={() => input.current?.click()}>
        <IconPaperclip size={20} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}

/** Files pasted into the composer (a screenshot, a copied image) are attached instead of pasted as text. */
export function pastedFiles(e: ClipboardEvent, uploads: Uploads): void {
  const files = [...e.clipboardData.files];
  if (files.length === 0) return;
  e.preventDefault();
  uploads.add(files);
}

/** Drag and drop of files onto the conversation: `dragging` while files are over it (for the drop hint). */
export function useFileDrop(uploads: Uploads, enabled: boolean) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const hasFiles = (e: DragEvent) => enabled && e.dataTransfer.types.includes('Files');
  return {
    dragging,
    handlers: {
      onDragEnter: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        uploads.add([...e.dataTransfer.files]);
      },
    },
  };
}

/**
 * Voice messages from the composer: the mic button starts a recording (a click starts it, and Send or Cancel end
 * it; on a touch screen, holding records and letting go sends). A finished recording goes to `onRecorded` with its
 * measures (the composer puts it in the tray, where it uploads with its progress, and sends it once uploaded).
 */
export function useVoiceMessage(onRecorded: (file: File, voice: VoiceMeasure) => void, onError: (err: unknown) => void) {
  const [mode, setMode] = useState<null | 'click' | 'hold'>(null);
  const [released, setReleased] = useState(false);
  const stop = useCallback(() => {
    setMode(null);
    setReleased(false);
  }, []);
  const fail = useCallback(
    (err: unknown) => {
      stop();
      onError(err);
    },
    [onError, stop],
  );
  const send = useCallback(
    (file: File, voice: VoiceMeasure) => {
      stop();
      onRecorded(file, voice);
    },
    [onRecorded, stop],
  );
  // The button that was held gives way to the recorder: the finger lifting anywhere ends the hold.
  useEffect(() => {
    if (mode !== 'hold') return;
    const up = () => setReleased(true);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
    return () => {
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
    };
  }, [mode]);
  return { mode, released, start: setMode, stop, fail, send };
}

export type VoiceMessage = ReturnType<typeof useVoiceMessage>;

/** The mic button, shown instead of Send while the composer is empty. */
export function MicButton({ voice }: { voice: VoiceMessage }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="composer-send composer-mic"
      aria-label={t('media.record')}
      onClick={() => voice.mode === null && voice.start('click')}
      onPointerDown={(e) => {
        if (e.pointerType !== 'touch') return;
        e.preventDefault();
        voice.start('hold');
      }}
      onContextMenu={(e) => e.preventDefault()}
    >
      <IconMic size={18} />
    </button>
  );
}

/** The recorder (a lazy chunk: MediaRecorder and the measuring only load when someone records). */
export function RecorderSlot({ voice }: { voice: VoiceMessage }) {
  return (
    <Suspense fallback={<div className="recorder" />}>
      <VoiceRecorder release={voice.released} onSend={voice.send} onCancel={voice.stop} onError={voice.fail} />
    </Suspense>
  );
}
