import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { IconClose } from '../conversation/icons.js';
import { formatBytes, formatDuration } from './format.js';
import { FileIcon } from './icons.js';
import { TRAY_MAX, type TrayItem, type Uploads } from './useUploads.js';
import './media.css';

/** One file waiting to be sent: its thumbnail or type icon, name and size, progress or error, remove and retry. */
function TrayCard({ item, uploads }: { item: TrayItem; uploads: Uploads }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const percent = item.file.size > 0 ? Math.round((item.sent / item.file.size) * 100) : 0;
  const name = item.voice ? t('media.kind.voiceWithDuration', { duration: formatDuration(item.voice.durationMs) }) : item.file.name;
  return (
    <li className={`tray-item tray-${item.state}`} data-state={item.state}>
      {item.preview ? <img className="tray-thumb" src={item.preview} alt="" /> : <FileIcon type={item.file.type} className="tray-thumb tray-icon" />}
      <div className="tray-text">
        <span className="tray-name" title={name}>
          {name}
        </span>
        <span className="tray-size">{formatBytes(item.file.size, i18n.language)}</span>
        {item.state === 'uploading' && (
          <progress className="tray-progress" max={100} value={percent} aria-label={t('media.uploading', { name })}>
            {percent}%
          </progress>
        )}
        {item.state === 'failed' && item.error && (
          <span className="tray-error" role="alert">
            {item.error.code === 'FILE_TOO_LARGE' && typeof item.error.details.maxBytes === 'number' ? t('media.tooLarge', { max: formatBytes(item.error.details.maxBytes, i18n.language) }) : errorText(item.error)}
          </span>
        )}
      </div>
      {item.state === 'failed' && item.error?.isTransient && (
        <button type="button" className="link-btn" onClick={() => uploads.retry(item.key)}>
          {t('media.retry')}
        </button>
      )}
      <button type="button" className="icon-btn tray-remove" aria-label={item.state === 'uploading' ? t('media.cancelUpload', { name }) : t('media.remove', { name })} onClick={() => uploads.remove(item.key)}>
        <IconClose size={14} />
      </button>
    </li>
  );
}

/** Above the composer: the files the next message will carry, before it is sent. The composer's text is the caption. */
export function AttachmentTray({ uploads }: { uploads: Uploads }) {
  const { t } = useTranslation();
  if (uploads.items.length === 0) return null;
  return (
    <div className="tray" role="group" aria-label={t('media.tray', { count: uploads.items.length })}>
      <ul className="tray-list">
        {uploads.items.map((item) => (
          <TrayCard key={item.key} item={item} uploads={uploads} />
        ))}
      </ul>
      {uploads.overflow && (
        <p className="tray-note" role="status">
          {t('media.tooMany', { max: TRAY_MAX })}
        </p>
      )}
    </div>
  );
}
