import { HearthError, type HearthClient } from '@hearth/client';
import { lazy, startTransition, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthScreen } from '../features/auth/AuthScreen.js';
import { loadAppTexts } from '../i18n/index.js';
import { ClientProvider, createClient, forgetSession } from './client.js';

// The signed-in app and its texts load once someone is signed in: the sign-in screen downloads neither.
const Shell = lazy(async () => {
  const [{ Shell }] = await Promise.all([import('../features/shell/Shell.js'), loadAppTexts()]);
  return { default: Shell };
});

type Session = { status: 'loading' } | { status: 'signed-out'; needsSetup: boolean } | { status: 'signed-in'; client: HearthClient };

async function serverNeedsSetup(): Promise<boolean> {
  try {
    return (await createClient().http.call('serverInfo')).needsSetup;
  } catch {
    return false;
  }
}

function Loading() {
  const { t } = useTranslation();
  return (
    <div className="boot" role="status">
      <svg className="boot-mark" viewBox="0 0 32 32" aria-hidden="true">
        <circle cx="16" cy="16" r="15" />
      </svg>
      {t('common.loading')}
    </div>
  );
}

/** Decides between the sign-in screens and the app. */
export function App() {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  const signedOut = useCallback(async (needsSetup = serverNeedsSetup()) => {
    forgetSession();
    setSession({ status: 'signed-out', needsSetup: await needsSetup });
  }, []);

  const start = useCallback(
    (client: HearthClient) => {
      client.on('signedOut', () => {
        client.close();
        void signedOut();
      });
      // A transition: React renders the whole app in slices between which the page stays responsive, instead of
      // in one long task, and keeps the current screen (the loading mark, or the sign-in form with its button
      // still busy) until the app's code has arrived.
      startTransition(() => setSession({ status: 'signed-in', client }));
      client.connect().catch((err: unknown) => {
        if (err instanceof HearthError && err.code === 'UNAUTHENTICATED') void signedOut();
      });
    },
    [signedOut],
  );

  useEffect(() => {
    // The session cookie is out of the page's reach: the server says whether it holds one. Unreachable, the app
    // starts anyway (offline, with its outbox); a session that turns out to be gone signs out on connecting.
    // Whether the server needs setting up is asked at the same time, so the sign-in screen waits for one round
    // trip instead of two (a signed-in start pays one small request for it).
    const client = createClient();
    const needsSetup = serverNeedsSetup();
    client.http.call('getMe').then(
      () => start(client),
      (err: unknown) => {
        if (!(err instanceof HearthError && err.code === 'UNAUTHENTICATED')) return start(client);
        client.close();
        void signedOut(needsSetup);
      },
    );
  }, [start, signedOut]);

  if (session.status === 'loading') return <Loading />;
  if (session.status === 'signed-out') return <AuthScreen needsSetup={session.needsSetup} onSignedIn={start} />;
  return (
    <ClientProvider client={session.client}>
      <Suspense fallback={<Loading />}>
        <Shell />
      </Suspense>
    </ClientProvider>
  );
}
