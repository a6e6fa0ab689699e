import type { Attachment } from '@hearth/client';
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { formatDuration } from './format.js';
import { IconPause, IconPlay } from './icons.js';

const SPEEDS = [1, 1.5, 2] as const;
const BARS = 48;

/** The waveform resampled to a fixed number of bars (peaks of each stretch), so every voice message looks alike. */
function bars(waveform: readonly number[] | null): number[] {
  if (!waveform || waveform.length === 0) return Array.from({ length: BARS }, () => 0.3);
  return Array.from({ length: BARS }, (_, i) => {
    const from = Math.floor((i * waveform.length) / BARS);
    const to = Math.max(from + 1, Math.floor(((i + 1) * waveform.length) / BARS));
    return Math.max(...waveform.slice(from, to));
  });
}

/** A voice message: play/pause, the waveform as a scrubber (a slider for the keyboard), the time, and the speed. */
export function VoicePlayer({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const client = useClient();
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(1);
  const [mediaDuration, setMediaDuration] = useState<number | null>(null);
  // Browsers report Infinity for a WebM recording without a duration: the one measured while recording wins.
  const durationMs = attachment.durationMs ?? mediaDuration ?? 0;
  const progress = durationMs > 0 ? Math.min(1, position / durationMs) : 0;

  useEffect(() => {
    if (audio.current) audio.current.playbackRate = speed;
  }, [speed]);

  function seek(ms: number) {
    const el = audio.current;
    if (!el || durationMs <= 0) return;
    const to = Math.max(0, Math.min(durationMs, ms));
    el.currentTime = to / 1000;
    setPosition(to);
  }
  function toggle() {
    const el = audio.current;
    if (!el) return;
    if (el.paused) void el.play().catch(() => setPlaying(false));
    else el.pause();
  }
  function onPointer(e: PointerEvent<HTMLDivElement>) {
    if (e.type === 'pointermove' && e.buttons !== 1) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const rtl = getComputedStyle(e.currentTarget).direction === 'rtl';
    const x = rtl ? rect.right - e.clientX : e.clientX - rect.left;
    seek((x / rect.width) * durationMs);
  }
  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    const step = { ArrowRight: 5000, ArrowUp: 5000, ArrowLeft: -5000, ArrowDown: -5000 }[e.key];
    if (step !== undefined) seek(position + step);
    else if (e.key === 'Home') seek(0);
    else if (e.key === 'End') seek(durationMs);
    else return;
    e.preventDefault();
  }

  const label = t('media.kind.voiceWithDuration', { duration: formatDuration(durationMs) });
  return (
    <div className="voice" role="group" aria-label={label}>
      <audio
        ref={audio}
        src={client.files.url(attachment)}
        preload="metadata"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => {
          setPlaying(false);
          setPosition(0);
        }}
        onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime * 1000)}
        onLoadedMetadata={(e) => {
          const d = e.currentTarget.duration;
          if (Number.isFinite(d)) setMediaDuration(Math.round(d * 1000));
          e.currentTarget.playbackRate = speed;
        }}
      />
      <button type="button" className="voice-play" aria-label={playing ? t('media.pause') : t('media.play')} onClick={toggle}>
        {playing ? <IconPause size={16} /> : <IconPlay size={16} />}
      </button>
      <div
        className="voice-wave"
        role="slider"
        tabIndex={0}
        aria-label={t('media.seek')}
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs / 1000)}
        aria-valuenow={Math.round(position / 1000)}
        aria-valuetext={`${formatDuration(position)} / ${formatDuration(durationMs)}`}
        onPointerDown={onPointer}
        onPointerMove={onPointer}
        onKeyDown={onKey}
      >
        {bars(attachment.waveform).map((peak, i) => (
          <span key={i} className={`voice-bar${(i + 0.5) / BARS <= progress ? ' played' : ''}`} style={{ height: `${Math.max(8, peak * 100)}%` }} />
        ))}
      </div>
      <span className="voice-time" aria-hidden="true">
        {formatDuration(playing || position > 0 ? position : durationMs)}
      </span>
      <button
        type="button"
        className="voice-speed"
        aria-label={t('media.speed', { speed })}
        onClick={() => setSpeed((s) => SPEEDS[(SPEEDS.indexOf(s) + 1) % SPEEDS.length]!)}
      >
        {`${speed}×`}
      </button>
    </div>
  );
}
