import type { Attachment } from '@hearth/client';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { attachmentLabel, formatBytes } from './format.js';
import { FileIcon, IconDownload } from './icons.js';
import { Placeholder } from './Placeholder.js';
import { VoicePlayer } from './VoicePlayer.js';
import './media.css';

const Lightbox = lazy(() => import('./Lightbox.js'));

/** The largest box an image or video takes in the list; the size is reserved before it loads, so nothing jumps. */
const MAX_W = 320;
const MAX_H = 320;

/** The box an image or video is shown in: its own proportions, within MAX_W × MAX_H. */
export function displayBox(a: Pick<Attachment, 'width' | 'height'>): { width: number; height: number } {
  const w = a.width ?? 240;
  const h = a.height ?? 180;
  const scale = Math.min(1, MAX_W / w, MAX_H / h);
  return { width: Math.max(48, Math.round(w * scale)), height: Math.max(48, Math.round(h * scale)) };
}

/** An image's source in the list: the thumbnail, but a GIF's own bytes so that it moves. */
export function imageSource(client: ReturnType<typeof useClient>, a: Attachment): string {
  if (a.mimeType === 'image/gif') return client.files.url(a);
  return client.files.thumbnailUrl(a) ?? client.files.url(a);
}

function ImageTile({ attachment, onOpen }: { attachment: Attachment; onOpen: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [loaded, setLoaded] = useState(false);
  const box = displayBox(attachment);
  return (
    <button type="button" className="media-image" style={{ width: box.width, height: box.height }} aria-label={t('media.open', { name: attachment.name })} onClick={onOpen}>
      {attachment.placeholder && !loaded && <Placeholder hash={attachment.placeholder} />}
      <img src={imageSource(client, attachment)} alt={attachment.name} width={box.width} height={box.height} loading="lazy" decoding="async" onLoad={() => setLoaded(true)} />
    </button>
  );
}

function VideoTile({ attachment }: { attachment: Attachment }) {
  const client = useClient();
  const box = displayBox(attachment);
  const poster = client.files.thumbnailUrl(attachment);
  return (
    <video className="media-video" controls preload="metadata" width={box.width} height={box.height} src={client.files.url(attachment)} aria-label={attachment.name} {...(poster ? { poster } : {})} />
  );
}

/** A file that is not shown inline: its type icon, name, size, and a download link. */
export function FileCard({ attachment }: { attachment: Attachment }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  return (
    <div className="media-file">
      <FileIcon type={attachment.mimeType} kind={attachment.kind} />
      <div className="media-file-text">
        <span className="media-file-name" title={attachment.name} dir="auto">
          {attachment.name}
        </span>
        <span className="media-file-size">{formatBytes(attachment.size, i18n.language)}</span>
      </div>
      <a className="icon-btn media-download" href={client.files.url(attachment, { download: true })} download={attachment.name} aria-label={t('media.download', { name: attachment.name })}>
        <IconDownload size={18} />
      </a>
    </div>
  );
}

function AudioTile({ attachment }: { attachment: Attachment }) {
  const { t } = useTranslation();
  const client = useClient();
  return (
    <div className="media-audio">
      <span className="media-file-name" dir="auto">
        {attachment.name}
      </span>
      <audio controls preload="metadata" src={client.files.url(attachment)} aria-label={`${attachmentLabel(attachment, t)}: ${attachment.name}`} />
    </div>
  );
}

/** A media message's files: images and GIFs inline (opening a lightbox), videos and audio in native players, voice messages, file cards. */
export function MediaAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  const images = attachments.filter((a) => a.kind === 'image');
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="media">
      {images.length > 0 && (
        <div className={`media-images${images.length > 1 ? ' media-grid' : ''}`}>
          {images.map((a, i) => (
            <ImageTile key={a.id} attachment={a} onOpen={() => setOpen(i)} />
          ))}
        </div>
      )}
      {attachments.map((a) =>
        a.kind === 'video' ? (
          <VideoTile key={a.id} attachment={a} />
        ) : a.kind === 'voice' ? (
          <VoicePlayer key={a.id} attachment={a} />
        ) : a.kind === 'audio' ? (
          <AudioTile key={a.id} attachment={a} />
        ) : a.kind === 'file' ? (
          <FileCard key={a.id} attachment={a} />
        ) : null,
      )}
      {open !== null && (
        <Suspense fallback={null}>
          <Lightbox images={images} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />
        </Suspense>
      )}
    </div>
  );
}
