import { useTranslation } from 'react-i18next';
import { useClientState } from '../../app/client.js';
import { useRoute } from '../../app/router.js';
import { ConversationView } from '../conversation/ConversationView.js';
import { SettingsView } from '../settings/SettingsView.js';
import { Sidebar } from '../sidebar/Sidebar.js';
import './shell.css';

/** The banner that says when the connection is down; messages still queue in the outbox meanwhile. */
function ConnectionBanner() {
  const { t } = useTranslation();
  const state = useClientState((c) => c.connectionState);
  const online = typeof navigator === 'undefined' || navigator.onLine;
  if (state === 'online') return null;
  const text = !online ? t('common.connection.offline') : state === 'connecting' ? t('common.connection.connecting') : t('common.connection.reconnecting');
  return (
    <div className="connection-banner" role="status" aria-live="polite">
      {text}
    </div>
  );
}

/**
 * The signed-in layout: the conversation list beside the open screen. Below 700 px wide the two are separate
 * screens: the list at /, the conversation at /c/:id.
 */
export function Shell() {
  const route = useRoute();
  const { t } = useTranslation();
  const hasMain = route.name !== 'home';
  return (
    <div className={`shell${hasMain ? ' shell-main-open' : ''}`}>
      <ConnectionBanner />
      <div className="shell-columns">
        <nav className="shell-sidebar" aria-label={t('shell.conversations')}>
          <Sidebar />
        </nav>
        <main className="shell-main">
          {route.name === 'conversation' && <ConversationView key={route.id} conversationId={route.id} />}
          {route.name === 'settings' && <SettingsView />}
          {route.name === 'home' && <div className="shell-empty muted">{t('shell.pickConversation')}</div>}
        </main>
      </div>
    </div>
  );
}
