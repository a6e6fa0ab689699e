import type { Attachment } from '@hearth/client';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useModal } from '../../ui/Dialog.js';
import { IconClose } from '../conversation/icons.js';
import { IconChevron, IconDownload } from './icons.js';

/**
 * A message's images full size, one at a time, in a modal <dialog>: the browser traps focus in it and Esc closes
 * it (focus goes back to the image that opened it); ← and → (mirrored right to left) go through the gallery.
 */
export default function Lightbox({ images, index, onIndex, onClose }: { images: readonly Attachment[]; index: number; onIndex: (i: number) => void; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const modal = useModal(onClose);
  const image = images[index];
  const count = images.length;

  function go(step: number) {
    if (count > 1) onIndex((index + step + count) % count);
  }
  function onKey(e: KeyboardEvent<HTMLDialogElement>) {
    const rtl = i18n.dir() === 'rtl';
    if (e.key === 'ArrowRight') go(rtl ? -1 : 1);
    else if (e.key === 'ArrowLeft') go(rtl ? 1 : -1);
    else return;
    e.preventDefault();
  }

  if (!image) return null;
  return (
    <dialog {...modal} className="lightbox" aria-label={t('media.lightbox', { name: image.name, index: index + 1, count })} onKeyDown={onKey}>
      <div className="lightbox-bar">
        <span className="lightbox-name" dir="auto">
          {image.name}
        </span>
        {count > 1 && <span className="lightbox-count">{t('media.position', { index: index + 1, count })}</span>}
        <a className="icon-btn" href={client.files.url(image, { download: true })} download={image.name} aria-label={t('media.download', { name: image.name })}>
          <IconDownload size={18} />
        </a>
        <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose} autoFocus>
          <IconClose size={18} />
        </button>
      </div>
      <div className="lightbox-stage">
        {count > 1 && (
          <button type="button" className="icon-btn lightbox-nav lightbox-prev" aria-label={t('media.previous')} onClick={() => go(-1)}>
            <IconChevron size={28} back />
          </button>
        )}
        <img key={image.id} className="lightbox-image" src={client.files.url(image)} alt={image.name} {...(image.width && image.height ? { width: image.width, height: image.height } : {})} />
        {count > 1 && (
          <button type="button" className="icon-btn lightbox-nav lightbox-next" aria-label={t('media.next')} onClick={() => go(1)}>
            <IconChevron size={28} />
          </button>
        )}
      </div>
    </dialog>
  );
}
