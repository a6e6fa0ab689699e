import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { IconSend, IconTrash } from '../conversation/icons.js';
import { formatDuration } from './format.js';
import { measureRecording, recordingType, type VoiceMeasure } from './measure.js';

/** Keeps the microphone and the recorder, and releases them however the recording ends. */
function useRecorder(onError: (err: unknown) => void) {
  const recorder = useRef<MediaRecorder | null>(null);
  const chunks = useRef<Blob[]>([]);
  const startedAt = useRef(0);
  const [elapsed, setElapsed] = useState(0);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices.getUserMedia({ audio: true }).then(
      (s) => {
        stream = s;
        if (cancelled) return s.getTracks().forEach((track) => track.stop());
        const type = recordingType();
        const r = new MediaRecorder(s, type ? { mimeType: type } : {});
        r.ondataavailable = (e) => {
          if (e.data.size > 0) chunks.current.push(e.data);
        };
        r.start(250);
        recorder.current = r;
        startedAt.current = performance.now();
      },
      (err: unknown) => onError(err),
    );
    const timer = setInterval(() => startedAt.current && setElapsed(performance.now() - startedAt.current), 200);
    return () => {
      cancelled = true;
      clearInterval(timer);
      if (recorder.current?.state !== 'inactive') recorder.current?.stop();
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [onError]);

  /** Stops and resolves with the recording (null when nothing was recorded). */
  function finish(): Promise<{ blob: Blob; elapsedMs: number } | null> {
    const r = recorder.current;
    if (!r || r.state === 'inactive') return Promise.resolve(null);
    const elapsedMs = performance.now() - startedAt.current;
    return new Promise((resolve) => {
      r.onstop = () => resolve(chunks.current.length > 0 ? { blob: new Blob(chunks.current, { type: r.mimeType }), elapsedMs } : null);
      r.stop();
      r.stream.getTracks().forEach((track) => track.stop());
    });
  }
  return { elapsed, recording: elapsed > 0, finish };
}

/**
 * In place of the composer while recording a voice message: the time, Cancel, and Send (which measures the
 * recording's duration and waveform in the page and hands it over). `release` turns true when a hold-to-record
 * press ends: that sends too.
 */
export default function VoiceRecorder({ release, onSend, onCancel, onError }: { release: boolean; onSend: (file: File, voice: VoiceMeasure) => void; onCancel: () => void; onError: (err: unknown) => void }) {
  const { t } = useTranslation();
  const { elapsed, recording, finish } = useRecorder(onError);
  const [busy, setBusy] = useState(false);
  const sendRef = useRef<() => void>(() => undefined);

  sendRef.current = () => {
    if (busy) return;
    setBusy(true);
    void finish().then(async (done) => {
      if (!done) return onCancel();
      const voice = await measureRecording(done.blob, done.elapsedMs);
      const extension = done.blob.type.includes('mp4') ? 'm4a' : done.blob.type.includes('ogg') ? 'ogg' : 'webm';
      onSend(new File([done.blob], `voice-${new Date().toISOString().replace(/[:.]/g, '-')}.${extension}`, { type: done.blob.type }), voice);
    });
  };

  useEffect(() => {
    if (release && recording) sendRef.current();
  }, [release, recording]);

  return (
    <div className="recorder" role="group" aria-label={t('media.recording')}>
      <button type="button" className="icon-btn" aria-label={t('media.cancelRecording')} onClick={() => void finish().then(onCancel)} disabled={busy}>
        <IconTrash size={18} />
      </button>
      <span className="recorder-dot" aria-hidden="true" />
      <span className="recorder-time" role="timer" aria-live="off">
        {formatDuration(elapsed)}
      </span>
      <span className="recorder-label muted">{recording ? t('media.recordingNow') : t('media.micStarting')}</span>
      <button type="button" className="composer-send" aria-label={t('media.sendVoice')} onClick={() => sendRef.current()} disabled={!recording || busy}>
        <IconSend size={18} />
      </button>
    </div>
  );
}
