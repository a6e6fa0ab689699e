import type { FileKind, FilesPage } from '@hearth/client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useErrorText } from '../../app/errors.js';
import { displayName, useUser } from '../../app/people.js';
import { formatDateTime } from '../../i18n/index.js';
import { IconClose } from '../conversation/icons.js';
import '../members/members.css';
import { attachmentLabel, formatBytes } from './format.js';
import { FileIcon, IconDownload } from './icons.js';
import './media.css';

type Entry = FilesPage['files'][number];
const KINDS: Array<FileKind | 'all'> = ['all', 'image', 'video', 'voice', 'audio', 'file'];
const PAGE = 30;

/** A conversation's files, newest first, one page at a time, optionally of one kind. */
function useFiles(conversationId: string, kind: FileKind | 'all') {
  const client = useClient();
  const [files, setFiles] = useState<Entry[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    (before: number | undefined, replace: boolean) => {
      setLoading(true);
      setError(null);
      client.files.list(conversationId, { limit: PAGE, ...(kind === 'all' ? {} : { kind }), ...(before !== undefined ? { before } : {}) }).then(
        (page) => {
          setFiles((held) => (replace ? page.files : [...held, ...page.files]));
          setHasMore(page.hasMore);
          setLoading(false);
        },
        (err: unknown) => {
          setError(err);
          setLoading(false);
        },
      );
    },
    [client, conversationId, kind],
  );
  useEffect(() => load(undefined, true), [load]);
  return { files, hasMore, loading, error, more: () => load(files.at(-1)?.seq, false) };
}

function FileRow({ entry }: { entry: Entry }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const sender = useUser(entry.senderId);
  const a = entry.attachment;
  const thumb = a.kind === 'image' || a.kind === 'video' ? client.files.thumbnailUrl(a) : undefined;
  return (
    <li className="files-row">
      {thumb ? <img className="files-thumb" src={thumb} alt="" loading="lazy" /> : <FileIcon type={a.mimeType} kind={a.kind} className="files-thumb" />}
      <div className="files-text">
        <span className="files-name" dir="auto" title={a.name}>
          {a.kind === 'file' ? a.name : `${attachmentLabel(a, t)} · ${a.name}`}
        </span>
        <span className="files-meta muted">
          {`${formatBytes(a.size, i18n.language)} · ${displayName(sender)} · ${formatDateTime(entry.createdAt)}`}
        </span>
      </div>
      <a className="icon-btn" href={client.files.url(a, { download: true })} download={a.name} aria-label={t('media.download', { name: a.name })}>
        <IconDownload size={18} />
      </a>
    </li>
  );
}

/** Beside the conversation, like the members panel: its files with a kind filter, newest first, page by page. */
export function FilesPanel({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [kind, setKind] = useState<FileKind | 'all'>('all');
  const { files, hasMore, loading, error, more } = useFiles(conversationId, kind);
  return (
    <aside
      className="members-panel files-panel"
      id="files-panel"
      aria-labelledby="files-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="members-header">
        <h2 id="files-title">{t('media.filesTitle')}</h2>
        <button type="button" className="icon-btn" aria-label={t('media.closeFiles')} onClick={onClose}>
          <IconClose size={18} />
        </button>
      </header>
      <div className="members-scroll">
        <label className="files-filter">
          <span>{t('media.filter')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as FileKind | 'all')}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`media.filterKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {error !== null && (
          <p className="field-error" role="alert">
            {errorText(error)}
          </p>
        )}
        {!loading && files.length === 0 && error === null && <p className="muted">{t('media.noFiles')}</p>}
        <ul className="files-list" aria-busy={loading}>
          {files.map((f) => (
            <FileRow key={`${f.messageId}-${f.attachment.id}`} entry={f} />
          ))}
        </ul>
        {loading && <p className="muted">{t('common.loading')}</p>}
        {hasMore && !loading && (
          <button type="button" className="btn files-more" onClick={more}>
            {t('media.more')}
          </button>
        )}
      </div>
    </aside>
  );
}
