import { useTranslation } from 'react-i18next';
import { useClientState } from '../../app/client.js';
import { conversationTitle } from '../../app/people.js';
import { navigate, useRoute } from '../../app/router.js';
import { Avatar } from '../../ui/Avatar.js';
import './sidebar.css';

/** The conversation list. */
export function Sidebar() {
  const { t } = useTranslation();
  const route = useRoute();
  const client = useClientState((c) => c);
  const conversations = client.conversations.list();
  return (
    <div className="sidebar">
      <header className="sidebar-header">
        <h1 className="sidebar-title">{t('common.appName')}</h1>
        <button type="button" className="icon-btn" aria-label={t('sidebar.settings')} onClick={() => navigate({ name: 'settings' })}>
          ⚙
        </button>
      </header>
      <ul className="conversation-list">
        {conversations.map((c) => {
          const title = conversationTitle(client, c);
          const active = route.name === 'conversation' && route.id === c.id;
          return (
            <li key={c.id}>
              <a
                href={`/c/${c.id}`}
                className={`conversation-item${active ? ' active' : ''}`}
                aria-current={active ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ name: 'conversation', id: c.id });
                }}
              >
                <Avatar id={c.peerId ?? c.id} name={title} />
                <span className="conversation-name">{title}</span>
                {c.me.unreadCount > 0 && <span className="badge">{c.me.unreadCount}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
