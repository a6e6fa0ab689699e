import { HearthError, type HearthClient } from '@hearth/client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthScreen } from '../features/auth/AuthScreen.js';
import { Shell } from '../features/shell/Shell.js';
import { ClientProvider, createClient, forgetSession } from './client.js';

type Session = { status: 'loading' } | { status: 'signed-out'; needsSetup: boolean } | { status: 'signed-in'; client: HearthClient };

async function serverNeedsSetup(): Promise<boolean> {
  try {
    return (await createClient().http.call('serverInfo')).needsSetup;
  } catch {
    return false;
  }
}

/** Decides between the sign-in screens and the app. */
export function App() {
  const { t } = useTranslation();
  const [session, setSession] = useState<Session>({ status: 'loading' });

  const signedOut = useCallback(async () => {
    forgetSession();
    setSession({ status: 'signed-out', needsSetup: await serverNeedsSetup() });
  }, []);

  const start = useCallback(
    (client: HearthClient) => {
      client.on('signedOut', () => {
        client.close();
        void signedOut();
      });
      setSession({ status: 'signed-in', client });
      client.connect().catch((err: unknown) => {
        if (err instanceof HearthError && err.code === 'UNAUTHENTICATED') void signedOut();
      });
    },
    [signedOut],
  );

  useEffect(() => {
    // The session cookie is out of the page's reach: the server says whether it holds one. Unreachable, the app
    // starts anyway (offline, with its outbox); a session that turns out to be gone signs out on connecting.
    const client = createClient();
    client.http.call('getMe').then(
      () => start(client),
      (err: unknown) => {
        if (!(err instanceof HearthError && err.code === 'UNAUTHENTICATED')) return start(client);
        client.close();
        void signedOut();
      },
    );
  }, [start, signedOut]);

  if (session.status === 'loading') {
    return (
      <div className="boot" role="status">
        {t('common.loading')}
      </div>
    );
  }
  if (session.status === 'signed-out') return <AuthScreen needsSetup={session.needsSetup} onSignedIn={start} />;
  return (
    <ClientProvider client={session.client}>
      <Shell />
    </ClientProvider>
  );
}
