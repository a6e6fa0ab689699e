/** How many peaks a recorded voice message's waveform holds. */
export const PEAKS = 64;

export interface VoiceMeasure {
  durationMs: number;
  waveform: number[];
}

/**
 * The duration and waveform of a recording, measured in the page: Chromium's WebM recordings carry no duration,
 * and the server may not be able to read the audio (end-to-end encryption later). Peaks are the loudest sample of
 * each stretch, scaled to the loudest of all and clamped to 1. `fallbackMs` (the time on the recorder's clock)
 * stands in when the audio cannot be decoded.
 */
export async function measureRecording(blob: Blob, fallbackMs: number): Promise<VoiceMeasure> {
  try {
    const context = new OfflineAudioContext(1, 1, 44_100);
    const buffer = await context.decodeAudioData(await blob.arrayBuffer());
    const samples = buffer.getChannelData(0);
    const stretch = Math.max(1, Math.floor(samples.length / PEAKS));
    const raw = Array.from({ length: PEAKS }, (_, i) => {
      let peak = 0;
      for (let j = i * stretch; j < Math.min(samples.length, (i + 1) * stretch); j++) peak = Math.max(peak, Math.abs(samples[j]!));
      return peak;
    });
    const loudest = Math.max(0.01, ...raw);
    return { durationMs: Math.round(buffer.duration * 1000), waveform: raw.map((p) => Math.min(1, Math.round((p / loudest) * 100) / 100)) };
  } catch {
    return { durationMs: Math.round(fallbackMs), waveform: Array.from({ length: PEAKS }, () => 0) };
  }
}

/** The recording format this browser offers: Opus in WebM (Chromium, Firefox), else MP4 (Safari). */
export function recordingType(): string {
  for (const type of ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus']) {
    if (MediaRecorder.isTypeSupported(type)) return type;
  }
  return '';
}
