import { useTranslation } from 'react-i18next';
import { useClientState } from '../../app/store.js';
import { navigate } from '../../app/router.js';
import { Avatar } from '../../ui/Avatar.js';
import { openDialog } from '../shell/dialogs.js';
import { Icon } from './icons.js';
import { MenuButton } from './Menu.js';

/** The signed-in person, with the "new" menu and the settings button. */
export function SidebarHeader() {
  const { t } = useTranslation();
  const me = useClientState((c) => c.users.me);
  const online = useClientState((c) => c.connectionState === 'online');
  const name = me?.displayName ?? '…';
  const status = me ? [me.statusEmoji, me.statusText].filter(Boolean).join(' ') : '';
  return (
    <header className="sidebar-header">
      <button type="button" className="me-card" onClick={() => navigate({ name: 'settings' })}>
        <Avatar id={me?.id ?? 'me'} name={name} size={38} presence={online ? 'online' : 'offline'} />
        <span className="me-text">
          <bdi className="me-name">{name}</bdi>
          <span className="me-status">{status ? <bdi>{status}</bdi> : t('sidebar.setStatus')}</span>
        </span>
        <span className="visually-hidden">, {t('sidebar.profile')}</span>
      </button>
      <MenuButton
        label={t('sidebar.new.label')}
        items={[
          { id: 'direct', label: t('sidebar.new.direct'), icon: 'message', onSelect: () => openDialog('direct') },
          { id: 'group', label: t('sidebar.new.group'), icon: 'users', onSelect: () => openDialog('group') },
          { id: 'channel', label: t('sidebar.new.channel'), icon: 'hash', onSelect: () => openDialog('channel') },
          { id: 'browse', label: t('sidebar.new.browse'), icon: 'compass', onSelect: () => navigate({ name: 'channels' }) },
        ]}
      >
        <Icon name="plus" />
      </MenuButton>
      <button type="button" className="icon-btn" aria-label={t('sidebar.settings')} title={t('sidebar.settings')} onClick={() => navigate({ name: 'settings' })}>
        <Icon name="settings" />
      </button>
    </header>
  );
}
