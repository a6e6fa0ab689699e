import i18next from 'i18next';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDay } from '../../i18n/index.js';
import { MessageRow, PendingRow } from './MessageRow.js';
import type { Row } from './rows.js';

/** A row's height before it is measured. */
export function estimateRowHeight(row: Row | undefined): number {
  switch (row?.kind) {
    case 'message':
    case 'pending':
      return row.head ? 64 : 28;
    case 'day':
      return 44;
    case 'unread':
      return 36;
    default:
      return 56;
  }
}

/** "Today", "Yesterday" (in the user's language), else the full date. */
function dayLabel(at: number): string {
  const start = (ms: number) => new Date(new Date(ms).getFullYear(), new Date(ms).getMonth(), new Date(ms).getDate()).getTime();
  const diff = Math.round((start(at) - start(Date.now())) / 86_400_000);
  if (diff === 0 || diff === -1) {
    const text = new Intl.RelativeTimeFormat(i18next.language, { numeric: 'auto' }).format(diff, 'day');
    return text.charAt(0).toLocaleUpperCase(i18next.language) + text.slice(1);
  }
  return formatDay(at);
}

/** What a row shows besides itself, as plain values, so that unchanged rows skip rendering. */
export interface RowState {
  /** The conversation's title (on the "beginning of the conversation" row). */
  title: string;
  loading: boolean;
  highlighted: boolean;
  showSeenBy: boolean;
  tabbable: boolean;
}

/** The content of one row of the message list. */
export const ListRow = memo(function ListRow({ row, title, loading, highlighted, showSeenBy, tabbable }: { row: Row } & RowState) {
  const { t } = useTranslation();
  switch (row.kind) {
    case 'start':
      return (
        <div className="list-start">
          <p className="list-start-title">{title}</p>
          <p className="muted">{t('conversation.beginning')}</p>
        </div>
      );
    case 'older':
    case 'newer':
      return (
        <div className="list-loader" aria-hidden={loading ? undefined : true}>
          <span className="spinner" />
          <span className="visually-hidden">{t('common.loading')}</span>
        </div>
      );
    case 'day':
      return (
        <div className="day-sep" role="separator" aria-label={dayLabel(row.at)}>
          <span title={formatDay(row.at)}>{dayLabel(row.at)}</span>
        </div>
      );
    case 'unread':
      return (
        <div className="unread-sep" role="separator" aria-label={t('conversation.newMessagesDivider')}>
          <span>{t('conversation.newMessagesDivider')}</span>
        </div>
      );
    case 'message':
      return <MessageRow message={row.message} head={row.head} highlighted={highlighted} showSeenBy={showSeenBy} tabbable={tabbable} />;
    case 'pending':
      return <PendingRow item={row.item} head={row.head} />;
  }
});
