import type { Attachment, Content, FileKind, MediaContent } from '@hearth/client';

type T = (key: string, options?: Record<string, unknown>) => string;

/** "0:07", "12:30", "1:02:03": a media length as players show it. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "930 B", "48 KB", "3.2 MB", in the page's language. */
export function formatBytes(bytes: number, language?: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(language, { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit > 1 ? 1 : 0 }).format(value);
}

/** What one attachment is, in words: "Photo", "Video", "Voice message (0:07)", "Audio", or the file's name. */
export function attachmentLabel(a: Pick<Attachment, 'kind' | 'name' | 'durationMs' | 'mimeType'>, t: T): string {
  const kind: FileKind = a.kind;
  if (kind === 'image') return a.mimeType === 'image/gif' ? t('media.kind.gif') : t('media.kind.photo');
  if (kind === 'video') return t('media.kind.video');
  if (kind === 'voice') return a.durationMs !== null ? t('media.kind.voiceWithDuration', { duration: formatDuration(a.durationMs) }) : t('media.kind.voice');
  if (kind === 'audio') return t('media.kind.audio');
  return a.name;
}

/**
 * A media message in one line, for the conversation list, reply quotes, notifications and announcements: what its
 * files are ("Photo", "3 photos", "Voice message (0:07)", a file name), then its caption.
 */
export function mediaSummary(content: MediaContent, t: T, plain: (markdown: string) => string = (s) => s): string {
  const [first] = content.attachments;
  const same = content.attachments.every((a) => a.kind === first?.kind);
  let what: string;
  if (!first) what = '';
  else if (content.attachments.length === 1) what = attachmentLabel(first, t);
  else if (same && first.kind === 'image') what = t('media.kind.photos', { count: content.attachments.length });
  else if (same && first.kind === 'video') what = t('media.kind.videos', { count: content.attachments.length });
  else what = t('media.kind.files', { count: content.attachments.length });
  const caption = plain(content.text).trim();
  return caption ? `${what}: ${caption}` : what;
}

/** What someone wrote, in one line of plain text: a text's words, a media message's summary; '' for anything else. */
export function writtenLine(content: Content | null, t: T, plain: (markdown: string) => string): string {
  if (content?.type === 'text') return plain(content.text);
  if (content?.type === 'media') return mediaSummary(content, t, plain);
  return '';
}
