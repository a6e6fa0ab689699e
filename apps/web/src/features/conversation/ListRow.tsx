import i18next from 'i18next';
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

/** What the list knows about every row at once: which one is highlighted, tabbable, shows "Seen by" … */
export interface RowContext {
  title: string;
  loading: boolean;
  highlight: string | null;
  lastMineId: string | null;
  tabbableKey: string | null;
}

/** The content of one row of the message list. */
export function ListRow({ row, context }: { row: Row; context: RowContext }) {
  const { t } = useTranslation();
  switch (row.kind) {
    case 'start':
      return (
        <div className="list-start">
          <p className="list-start-title">{context.title}</p>
          <p className="muted">{t('conversation.beginning')}</p>
        </div>
      );
    case 'older':
    case 'newer':
      return (
        <div className="list-loader" aria-hidden={context.loading ? undefined : true}>
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
      return (
        <MessageRow
          message={row.message}
          head={row.head}
          highlighted={context.highlight === row.key}
          showSeenBy={row.message.id === context.lastMineId}
          tabbable={row.key === context.tabbableKey}
        />
      );
    case 'pending':
      return <PendingRow item={row.item} head={row.head} />;
  }
}
