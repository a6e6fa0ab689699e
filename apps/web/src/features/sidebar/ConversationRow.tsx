import type { ConversationKind, PresenceState } from '@hearth/client';
import { memo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../ui/Avatar.js';
import type { Preview } from './format.js';
import { Icon } from './icons.js';
import { Menu, type MenuItem } from './Menu.js';

/** Everything one row shows, as plain values, so that unchanged rows skip rendering. */
export interface RowModel {
  id: string;
  kind: ConversationKind;
  title: string;
  avatarId: string;
  presence: PresenceState | undefined;
  time: string;
  timeFull: string;
  iso: string;
  preview: Preview;
  typing: string | null;
  unread: number;
  mentions: number;
  muted: boolean;
  active: boolean;
}

export interface RowActions {
  open: (id: string) => void;
  markRead: (id: string) => void;
  setMuted: (id: string, muted: boolean) => void;
  leave: (id: string) => void;
}

function sameRow(a: RowProps, b: RowProps): boolean {
  if (a.index !== b.index || a.top !== b.top || a.count !== b.count || a.tabbable !== b.tabbable || a.actions !== b.actions) return false;
  const x = a.row;
  const y = b.row;
  return (
    x.id === y.id &&
    x.title === y.title &&
    x.presence === y.presence &&
    x.time === y.time &&
    x.timeFull === y.timeFull &&
    x.typing === y.typing &&
    x.unread === y.unread &&
    x.mentions === y.mentions &&
    x.muted === y.muted &&
    x.active === y.active &&
    x.preview.text === y.preview.text &&
    x.preview.sender === y.preview.sender &&
    x.preview.italic === y.preview.italic &&
    x.preview.forwarded === y.preview.forwarded
  );
}

interface RowProps {
  row: RowModel;
  index: number;
  count: number;
  /** Offset in the virtual list, in pixels. */
  top: number;
  tabbable: boolean;
  actions: RowActions;
}

/** One conversation in the list: a link to it, and a menu of actions beside it. */
export const ConversationRow = memo(function ConversationRow({ row, index, count, top, tabbable, actions }: RowProps) {
  const { t } = useTranslation();
  const menuButton = useRef<HTMLButtonElement>(null);
  const [menu, setMenu] = useState<{ point?: { x: number; y: number } } | null>(null);
  const unreadShown = row.unread > 0;
  const strong = unreadShown && !row.muted;

  const items: MenuItem[] = [];
  if (row.unread > 0) items.push({ id: 'read', label: t('sidebar.menu.markRead'), icon: 'read', onSelect: () => actions.markRead(row.id) });
  items.push(
    row.muted
      ? { id: 'unmute', label: t('sidebar.menu.unmute'), icon: 'bell', onSelect: () => actions.setMuted(row.id, false) }
      : { id: 'mute', label: t('sidebar.menu.mute'), icon: 'muted', onSelect: () => actions.setMuted(row.id, true) },
  );
  if (row.kind !== 'direct') items.push({ id: 'leave', label: t('sidebar.menu.leave'), icon: 'leave', danger: true, onSelect: () => actions.leave(row.id) });

  function onContextMenu(e: MouseEvent) {
    e.preventDefault();
    setMenu({ point: { x: e.clientX, y: e.clientY } });
  }
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
      e.preventDefault();
      setMenu({});
    }
  }

  // "Ana:" with the name isolated, so that a name in another script keeps its place in either direction.
  const [senderBefore = '', senderAfter = ''] = t('sidebar.preview.sender', { name: '\u0000' }).split('\u0000');

  const status: string[] = [];
  if (row.unread > 0) status.push(t('sidebar.unread', { count: row.unread }));
  if (row.mentions > 0) status.push(t('sidebar.mentioned', { count: row.mentions }));
  if (row.muted) status.push(t('sidebar.muted'));

  return (
    <li
      className={`cl-row${row.active ? ' active' : ''}${strong ? ' unread' : ''}`}
      aria-setsize={count} aria-posinset={index + 1}
      style={{ transform: `translateY(${top}px)` }}
      onContextMenu={onContextMenu}
    >
      <a
        href={`/c/${row.id}`}
        className="cl-link"
        data-row={index}
        tabIndex={tabbable ? 0 : -1}
        aria-current={row.active ? 'page' : undefined}
        onKeyDown={onKeyDown}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          actions.open(row.id);
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
              {unreadShown && <span className={`badge${row.muted ? ' badge-muted' : ''}`}>{row.unread > 999 ? '999+' : row.unread}</span>}
            </span>
          </span>
          {status.length > 0 && <span className="visually-hidden">, {status.join(', ')}</span>}
        </span>
      </a>
      <button
        ref={menuButton}
        type="button"
        className="icon-btn cl-menu-btn"
        aria-label={t('sidebar.menu.label', { name: row.title })}
        title={t('sidebar.menu.label', { name: row.title })}
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        tabIndex={tabbable ? 0 : -1}
        onClick={() => setMenu(menu ? null : {})}
      >
        <Icon name="more" size={18} />
      </button>
      {menu && (
        <Menu
          items={items}
          anchor={menuButton}
          point={menu.point}
          label={t('sidebar.menu.label', { name: row.title })}
          onClose={(returnFocus) => {
            setMenu(null);
            if (returnFocus) menuButton.current?.closest('li')?.querySelector<HTMLElement>('.cl-link')?.focus();
          }}
        />
      )}
    </li>
  );
}, sameRow);
