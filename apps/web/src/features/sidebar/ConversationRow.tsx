import { memo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClientState } from '../../app/store.js';
import { Avatar } from '../../ui/Avatar.js';
import { rowModel, sameRowModel, type RowModel } from './entries.js';
import { Icon } from './icons.js';
import { Menu, type MenuItem } from './Menu.js';

export interface RowActions {
  open: (id: string) => void;
  markRead: (id: string) => void;
  setMuted: (id: string, muted: boolean) => void;
  leave: (id: string) => void;
}

type T = ReturnType<typeof useTranslation>['t'];

function menuItems(id: string, row: RowModel, actions: RowActions, t: T): MenuItem[] {
  const items: MenuItem[] = [];
  if (row.unread > 0) items.push({ id: 'read', label: t('sidebar.menu.markRead'), icon: 'read', onSelect: () => actions.markRead(id) });
  items.push(
    row.muted
      ? { id: 'unmute', label: t('sidebar.menu.unmute'), icon: 'bell', onSelect: () => actions.setMuted(id, false) }
      : { id: 'mute', label: t('sidebar.menu.mute'), icon: 'muted', onSelect: () => actions.setMuted(id, true) },
  );
  if (row.kind !== 'direct') items.push({ id: 'leave', label: t('sidebar.menu.leave'), icon: 'leave', danger: true, onSelect: () => actions.leave(id) });
  return items;
}

/** The second line of a row: who is typing, or the latest message; then the badges. */
function RowPreview({ row }: { row: RowModel }) {
  const { t } = useTranslation();
  // "Ana:" with the name isolated, so that a name in another script keeps its place in either direction.
  const [senderBefore = '', senderAfter = ''] = t('sidebar.preview.sender', { name: '\u0000' }).split('\u0000');
  return (
    <span className="cl-bottom">
      {row.typing ? (
        <span className="cl-preview cl-typing">{row.typing}</span>
      ) : (
        <span className={`cl-preview${row.preview.italic ? ' cl-preview-italic' : ''}`}>
          {row.preview.forwarded && (
            <>
              <Icon name="forward" size={13} className="cl-forward" />
              <span className="visually-hidden">{t('sidebar.preview.forwarded')}: </span>
            </>
          )}
          {row.preview.sender && (
            <span className="cl-sender">
              {senderBefore}
              <bdi>{row.preview.sender}</bdi>
              {senderAfter}{' '}
            </span>
          )}
          <bdi>{row.preview.text}</bdi>
        </span>
      )}
      <span className="cl-badges" aria-hidden="true">
        {row.muted && <Icon name="muted" size={15} className="cl-muted-icon" />}
        {row.mentions > 0 && <span className="badge badge-mention">@</span>}
        {row.unread > 0 && <span className={`badge${row.muted ? ' badge-muted' : ''}`}>{row.unread > 999 ? '999+' : row.unread}</span>}
      </span>
    </span>
  );
}

/** The row's link: avatar, title, time, preview, and the states a screen reader reads out after them. */
function RowLink({ id, row, index, active, tabbable, onOpen, onMenuKey }: { id: string; row: RowModel; index: number; active: boolean; tabbable: boolean; onOpen: () => void; onMenuKey: () => void }) {
  const { t } = useTranslation();
  const status: string[] = [];
  if (row.unread > 0) status.push(t('sidebar.unread', { count: row.unread }));
  if (row.mentions > 0) status.push(t('sidebar.mentioned', { count: row.mentions }));
  if (row.muted) status.push(t('sidebar.muted'));
  return (
    <a
      href={`/c/${id}`}
      className="cl-link"
      data-row={index}
      tabIndex={tabbable ? 0 : -1}
      aria-current={active ? 'page' : undefined}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key !== 'ContextMenu' && !(e.shiftKey && e.key === 'F10')) return;
        e.preventDefault();
        onMenuKey();
      }}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        onOpen();
      }}
    >
      <Avatar id={row.avatarId} name={row.title} size={44} presence={row.presence} />
      <span className="cl-body">
        <span className="cl-top">
          <span className="cl-title">
            {row.kind === 'channel' && <Icon name="hash" size={14} className="cl-kind" />}
            {row.kind === 'group' && <Icon name="users" size={14} className="cl-kind" />}
            <bdi className="cl-title-text">{row.title}</bdi>
            {row.kind !== 'direct' && <span className="visually-hidden">, {t(`sidebar.kind.${row.kind}`)}</span>}
          </span>
          {row.time && (
            <time className="cl-time" title={row.timeFull} dateTime={row.iso}>
              <span aria-hidden="true">{row.time}</span>
              <span className="visually-hidden">, {row.timeFull}</span>
            </time>
          )}
        </span>
        <RowPreview row={row} />
        {status.length > 0 && <span className="visually-hidden">, {status.join(', ')}</span>}
      </span>
    </a>
  );
}

interface RowProps {
  id: string;
  index: number;
  count: number;
  /** Offset in the virtual list, in pixels. */
  top: number;
  active: boolean;
  tabbable: boolean;
  actions: RowActions;
}

/**
 * One conversation in the list: a link to it, and a menu of actions beside it. It selects what it shows itself,
 * so a change to one conversation re-renders its row alone.
 */
export const ConversationRow = memo(function ConversationRow({ id, index, count, top, active, tabbable, actions }: RowProps) {
  const { t } = useTranslation();
  const row = useClientState((c) => rowModel(c, id, t), sameRowModel);
  const menuButton = useRef<HTMLButtonElement>(null);
  const [menu, setMenu] = useState<{ point?: { x: number; y: number } } | null>(null);
  if (!row) return null;
  const label = t('sidebar.menu.label', { name: row.title });
  return (
    <li
      className={`cl-row${active ? ' active' : ''}${row.unread > 0 && !row.muted ? ' unread' : ''}`}
      aria-setsize={count}
      aria-posinset={index + 1}
      style={{ transform: `translateY(${top}px)` }}
      onContextMenu={(e: MouseEvent) => {
        e.preventDefault();
        setMenu({ point: { x: e.clientX, y: e.clientY } });
      }}
    >
      <RowLink id={id} row={row} index={index} active={active} tabbable={tabbable} onOpen={() => actions.open(id)} onMenuKey={() => setMenu({})} />
      <button
        ref={menuButton}
        type="button"
        className="icon-btn cl-menu-btn"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        tabIndex={tabbable ? 0 : -1}
        onClick={() => setMenu(menu ? null : {})}
      >
        <Icon name="more" size={18} />
      </button>
      {menu && (
        <Menu
          items={menuItems(id, row, actions, t)}
          anchor={menuButton}
          point={menu.point}
          label={label}
          onClose={(returnFocus) => {
            setMenu(null);
            if (returnFocus) menuButton.current?.closest('li')?.querySelector<HTMLElement>('.cl-link')?.focus();
          }}
        />
      )}
    </li>
  );
});
