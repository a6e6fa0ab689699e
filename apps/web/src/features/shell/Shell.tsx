import { lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import { useRoute } from '../../app/router.js';
import { useNotifications } from '../notifications/useNotifications.js';
import { useDefaultTimeZone } from '../profile/useDefaultTimeZone.js';
import { ConversationView } from '../conversation/ConversationView.js';
import { Icon } from '../sidebar/icons.js';
import { Sidebar } from '../sidebar/Sidebar.js';
import { closeDialog, currentDialog, openDialog, useOpenDialog } from './dialogs.js';
import { StartButtons } from './StartButtons.js';
import './shell.css';

// Screens and dialogs load on first use, keeping the first download to the list and the app frame (the
// conversation view loads its own screen lazily).
const SettingsView = lazy(() => import('../settings/SettingsView.js').then((m) => ({ default: m.SettingsView })));
const ChannelsBrowser = lazy(() => import('../channels/ChannelsBrowser.js').then((m) => ({ default: m.ChannelsBrowser })));
const NewDirectDialog = lazy(() => import('../sidebar/NewConversationDialogs.js').then((m) => ({ default: m.NewDirectDialog })));
const NewGroupDialog = lazy(() => import('../sidebar/NewConversationDialogs.js').then((m) => ({ default: m.NewGroupDialog })));
const NewChannelDialog = lazy(() => import('../channels/NewChannelDialog.js').then((m) => ({ default: m.NewChannelDialog })));
const QuickSwitcher = lazy(() => import('./QuickSwitcher.js').then((m) => ({ default: m.QuickSwitcher })));

/** Shown after this long in the first connection attempt, so a quick start does not flash a banner. */
const FIRST_CONNECT_GRACE_MS = 1500;

/** The banner that says when the connection is down; messages still queue in the outbox meanwhile. */
function ConnectionBanner() {
  const { t } = useTranslation();
  const client = useClient();
  const state = useClientState((c) => c.connectionState);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [graceOver, setGraceOver] = useState(false);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    const timer = setTimeout(() => setGraceOver(true), FIRST_CONNECT_GRACE_MS);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      clearTimeout(timer);
    };
  }, []);
  const down = state !== 'online' && (state !== 'connecting' || graceOver || !online);
  return (
    // The live region stays in the page so that screen readers announce the text when it appears.
    <div className={`connection-banner${down ? ' shown' : ''}${!online ? ' offline' : ''}`} role="status" aria-live="polite">
      {down && (
        <>
          <Icon name="wifiOff" size={18} />
          <span className="connection-text">
            {!online ? t('shell.connection.offline') : state === 'connecting' ? t('shell.connection.connecting') : t('shell.connection.reconnecting')}
          </span>
          {online && state === 'reconnecting' && (
            <button type="button" className="connection-retry" onClick={() => client.socket.reconnectNow()}>
              {t('shell.connection.retry')}
            </button>
          )}
        </>
      )}
    </div>
  );
}

/** The app-wide dialogs (new conversation, new channel, quick switcher), one at a time. */
function DialogHost() {
  const dialog = useOpenDialog();
  if (!dialog) return null;
  return (
    <Suspense fallback={null}>
      {dialog === 'direct' && <NewDirectDialog onClose={closeDialog} />}
      {dialog === 'group' && <NewGroupDialog onClose={closeDialog} />}
      {dialog === 'channel' && <NewChannelDialog onClose={closeDialog} />}
      {dialog === 'switcher' && <QuickSwitcher onClose={closeDialog} />}
    </Suspense>
  );
}

/** What the main area shows with no conversation open (wide screens only). */
function Welcome() {
  const { t } = useTranslation();
  const name = useClientState((c) => c.users.me?.displayName);
  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  return (
    <div className="welcome">
      <div className="welcome-logo" aria-hidden="true" />
      <h2>{name ? t('shell.welcome.title', { name }) : t('common.appName')}</h2>
      <p className="muted">{t('shell.pickConversation')}</p>
      <div className="welcome-actions">
        <StartButtons group />
      </div>
      <p className="welcome-tip muted">
        {t('shell.welcome.switcherTip')} <kbd>{mac ? '⌘' : 'Ctrl'}</kbd> <kbd>K</kbd>
      </p>
    </div>
  );
}

const NARROW = '(max-width: 700px)';

/** Whether the screen is narrow enough for the list and the open screen to be two screens (shell.css). */
function useNarrowScreen(): boolean {
  return useSyncExternalStore(
    (notify) => {
      const query = window.matchMedia(NARROW);
      query.addEventListener('change', notify);
      return () => query.removeEventListener('change', notify);
    },
    () => window.matchMedia(NARROW).matches,
  );
}

/**
 * The signed-in layout: the conversation list beside the open screen. Below 700 px wide the two are separate
 * screens: the list at /, the conversation (or settings, channels) at its own path.
 */
export function Shell() {
  const route = useRoute();
  const { t } = useTranslation();
  const hasMain = route.name !== 'home';
  const narrow = useNarrowScreen();
  useNotifications();
  useDefaultTimeZone();

  // Ctrl/Cmd+K opens the quick switcher from anywhere, even while typing; again closes it.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        if (currentDialog() === 'switcher') return closeDialog();
        // Not over another dialog (ours or one a conversation opened).
        if (document.querySelector('dialog[open]')) return;
        openDialog('switcher');
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className={`shell${hasMain ? ' shell-main-open' : ''}`}>
      <a className="skip-link" href="#main">
        {t('shell.skipToMain')}
      </a>
      <header>
        <h1 className="visually-hidden">{t('common.appName')}</h1>
        <ConnectionBanner />
      </header>
      <div className="shell-columns">
        {/* On a narrow screen with nothing open the list is the screen, and its main content (<main> is hidden). */}
        <div className="shell-sidebar" role={hasMain || !narrow ? undefined : 'main'}>
          <nav className="shell-nav" aria-label={t('shell.conversations')}>
            <Sidebar />
          </nav>
        </div>
        <main className="shell-main" id="main" tabIndex={-1}>
          <Suspense fallback={<div className="shell-loading muted">{t('common.loading')}</div>}>
            {route.name === 'conversation' && <ConversationView key={route.id} conversationId={route.id} />}
            {route.name === 'settings' && <SettingsView />}
            {route.name === 'channels' && <ChannelsBrowser />}
          </Suspense>
          {route.name === 'home' && <Welcome />}
        </main>
      </div>
      <DialogHost />
    </div>
  );
}
