import type { HearthClient } from '@hearth/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createClient } from '../../app/client.js';
import { useErrorText } from '../../app/errors.js';
import './auth.css';

type Mode = 'sign-in' | 'sign-up';

/** Sign in, sign up, and on a new server the creation of the first (administrator) account. */
export function AuthScreen({ needsSetup, onSignedIn }: { needsSetup: boolean; onSignedIn: (client: HearthClient) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>(needsSetup ? 'sign-up' : 'sign-in');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorText = useErrorText();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const client = createClient();
    try {
      if (mode === 'sign-in') await client.auth.signIn(username, password);
      else await client.auth.signUp({ username, displayName: displayName || username, password });
      onSignedIn(client);
    } catch (err) {
      client.close();
      setError(errorText(err));
      setBusy(false);
    }
  }

  const title = needsSetup ? t('auth.setupTitle') : mode === 'sign-in' ? t('auth.signInTitle') : t('auth.signUpTitle');
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} aria-labelledby="auth-title">
        <div className="auth-logo" aria-hidden="true" />
        <h1 id="auth-title">{title}</h1>
        {needsSetup && <p className="muted">{t('auth.setupHint')}</p>}
        <div className="field">
          <label htmlFor="auth-username">{t('auth.username')}</label>
          <input id="auth-username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </div>
        {mode === 'sign-up' && (
          <div className="field">
            <label htmlFor="auth-display-name">{t('auth.displayName')}</label>
            <input id="auth-display-name" name="displayName" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor="auth-password">{t('auth.password')}</label>
          <input
            id="auth-password"
            name="password"
            type="password"
            required
            minLength={mode === 'sign-up' ? 8 : undefined}
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn-primary auth-submit" type="submit" disabled={busy}>
          {mode === 'sign-in' ? t('auth.signIn') : needsSetup ? t('auth.createAdmin') : t('auth.signUp')}
        </button>
        {!needsSetup && (
          <p className="auth-switch">
            {mode === 'sign-in' ? t('auth.noAccount') : t('auth.haveAccount')}{' '}
            <button type="button" className="link-btn" onClick={() => setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')}>
              {mode === 'sign-in' ? t('auth.signUp') : t('auth.signIn')}
            </button>
          </p>
        )}
      </form>
    </main>
  );
}
