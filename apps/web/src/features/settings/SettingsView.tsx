import { HearthError, type Session } from '@hearth/client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import { setTheme, useTheme, type ThemeChoice } from '../../app/theme.js';
import { formatDateTime, formatRelative, LANGUAGES, setLanguage, type Language } from '../../i18n/index.js';
import { Avatar } from '../../ui/Avatar.js';
import { setNotificationsWanted, useNotificationSettings } from '../notifications/preferences.js';
import { ScreenHeader } from '../shell/ScreenHeader.js';
import { EmojiChooser, FormStatus, Section, Switch } from './controls.js';
import './settings.css';

type Status = { kind: 'ok' | 'error'; text: string } | null;

const PRESETS = [
  { emoji: '📅', key: 'meeting' },
  { emoji: '🚌', key: 'commuting' },
  { emoji: '🤒', key: 'sick' },
  { emoji: '🌴', key: 'vacation' },
  { emoji: '🏠', key: 'remote' },
] as const;

function ProfileSection() {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const me = useClientState((c) => c.users.me);
  const [displayName, setDisplayName] = useState(me?.displayName ?? '');
  const [statusText, setStatusText] = useState(me?.statusText ?? '');
  const [statusEmoji, setStatusEmoji] = useState(me?.statusEmoji ?? '');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  // Follow changes made on another device, unless this form has unsaved edits.
  const [base, setBase] = useState(me);
  if (me && me !== base) {
    if (displayName === (base?.displayName ?? '') && statusText === (base?.statusText ?? '') && statusEmoji === (base?.statusEmoji ?? '')) {
      setDisplayName(me.displayName);
      setStatusText(me.statusText);
      setStatusEmoji(me.statusEmoji);
    }
    setBase(me);
  }
  const dirty = me !== undefined && (displayName.trim() !== me.displayName || statusText.trim() !== me.statusText || statusEmoji !== me.statusEmoji);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!displayName.trim()) return;
    setBusy(true);
    setStatus(null);
    try {
      await client.users.updateMe({ displayName: displayName.trim(), statusText: statusText.trim(), statusEmoji });
      setStatus({ kind: 'ok', text: t('settings.profile.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="profile" title={t('settings.profile.title')}>
      <form onSubmit={(e) => void save(e)} className="settings-form">
        <div className="profile-head">
          <Avatar id={me?.id ?? 'me'} name={displayName || '?'} size={56} />
          <div>
            <div className="profile-name">{displayName || '…'}</div>
            <div className="muted">@{me?.username}</div>
          </div>
        </div>
        <div className="field">
          <label htmlFor="settings-display-name">{t('settings.profile.displayName')}</label>
          <input id="settings-display-name" required maxLength={64} autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="settings-status">{t('settings.profile.status')}</label>
          <div className="status-input">
            <EmojiChooser value={statusEmoji} onChange={setStatusEmoji} />
            <input
              id="settings-status"
              maxLength={140}
              placeholder={t('settings.profile.statusPlaceholder')}
              value={statusText}
              onChange={(e) => setStatusText(e.target.value)}
              autoComplete="off"
            />
            {(statusText || statusEmoji) && (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setStatusText('');
                  setStatusEmoji('');
                }}
              >
                {t('settings.profile.clearStatus')}
              </button>
            )}
          </div>
          <div className="presets" role="group" aria-label={t('settings.profile.presets')}>
            {PRESETS.map((p) => (
              <button
                key={p.key}
                type="button"
                className="chip"
                onClick={() => {
                  setStatusEmoji(p.emoji);
                  setStatusText(t(`settings.profile.preset.${p.key}`));
                }}
              >
                <span aria-hidden="true">{p.emoji}</span> {t(`settings.profile.preset.${p.key}`)}
              </button>
            ))}
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || !dirty || !displayName.trim()}>
            {t('settings.profile.save')}
          </button>
          <FormStatus status={status} />
        </div>
      </form>
    </Section>
  );
}

function PrivacySection() {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const readReceipts = useClientState((c) => c.users.me?.readReceipts ?? true);
  const [pending, setPending] = useState<boolean | null>(null);
  const [status, setStatus] = useState<Status>(null);
  async function change(value: boolean) {
    setPending(value);
    setStatus(null);
    try {
      await client.users.setReadReceipts(value);
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setPending(null);
    }
  }
  return (
    <Section id="privacy" title={t('settings.privacy.title')}>
      <Switch label={t('settings.privacy.readReceipts')} description={t('settings.privacy.readReceiptsHint')} checked={pending ?? readReceipts} disabled={pending !== null} onChange={(v) => void change(v)} />
      <FormStatus status={status} />
    </Section>
  );
}

function NotificationsSection() {
  const { t } = useTranslation();
  const { wanted, permission, active } = useNotificationSettings();
  const [asking, setAsking] = useState(false);
  async function change(value: boolean) {
    setAsking(true);
    try {
      await setNotificationsWanted(value);
    } finally {
      setAsking(false);
    }
  }
  let hint = t('settings.notifications.hint');
  if (permission === 'unsupported') hint = t('settings.notifications.unsupported');
  else if (permission === 'denied') hint = t('settings.notifications.denied');
  else if (wanted && permission !== 'granted') hint = t('settings.notifications.needPermission');
  return (
    <Section id="notifications" title={t('settings.notifications.title')}>
      <Switch label={t('settings.notifications.desktop')} description={hint} checked={active} disabled={asking || permission === 'unsupported'} onChange={(v) => void change(v)} />
    </Section>
  );
}

function AppearanceSection() {
  const { t, i18n } = useTranslation();
  const theme = useTheme();
  // The choice shows at once; the language itself may take a moment to download.
  const [language, setChosenLanguage] = useState(i18n.language);
  function chooseLanguage(code: Language) {
    setChosenLanguage(code);
    void setLanguage(code).catch(() => setChosenLanguage(i18n.language));
  }
  const themes: ThemeChoice[] = ['system', 'light', 'dark'];
  return (
    <Section id="appearance" title={t('settings.appearance.title')}>
      <fieldset className="choice-group">
        <legend className="setting-label">{t('settings.appearance.theme')}</legend>
        <div className="choices">
          {themes.map((choice) => (
            <label key={choice} className={`choice theme-choice${theme === choice ? ' selected' : ''}`}>
              <input type="radio" name="theme" value={choice} checked={theme === choice} onChange={() => setTheme(choice)} />
              <span className={`theme-swatch theme-swatch-${choice}`} aria-hidden="true" />
              <span>{t(`settings.appearance.${choice}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="choice-group">
        <legend className="setting-label">{t('settings.appearance.language')}</legend>
        <div className="choices">
          {LANGUAGES.map((l) => (
            <label key={l.code} className={`choice${language === l.code ? ' selected' : ''}`} lang={l.code} dir={l.code === 'ar' ? 'rtl' : 'ltr'}>
              <input type="radio" name="language" value={l.code} checked={language === l.code} onChange={() => chooseLanguage(l.code)} />
              <span>{l.name}</span>
            </label>
          ))}
        </div>
      </fieldset>
    </Section>
  );
}

function DevicesSection({ reloadKey }: { reloadKey: number }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(() => {
    client.auth.sessions().then(
      (list) => setSessions([...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt)),
      (err: unknown) => setStatus({ kind: 'error', text: errorText(err) }),
    );
  }, [client, errorText]);
  useEffect(load, [load, reloadKey]);

  async function revoke(ids: string[]) {
    setBusy(ids.length === 1 ? ids[0]! : 'all');
    setStatus(null);
    try {
      for (const id of ids) await client.auth.revokeSession(id);
      setStatus({ kind: 'ok', text: t('settings.devices.revoked', { count: ids.length }) });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(null);
      load();
    }
  }
  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <Section id="devices" title={t('settings.devices.title')} description={t('settings.devices.hint')}>
      {sessions === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <ul className="session-list">
          {sessions.map((s) => (
            <li key={s.id} className="session">
              <span className="session-icon" aria-hidden="true">
                {/Android|iPhone|iPad/.test(s.userAgent) ? '📱' : '💻'}
              </span>
              <div className="session-info">
                <span className="session-name">
                  {s.deviceName}
                  {s.current && <span className="tag">{t('settings.devices.thisDevice')}</span>}
                </span>
                <span className="session-meta" title={formatDateTime(s.lastUsedAt)}>
                  {s.current ? t('settings.devices.activeNow') : t('settings.devices.lastUsed', { when: formatRelative(s.lastUsedAt) })}
                  {' · '}
                  {t('settings.devices.signedIn', { when: formatDateTime(s.createdAt) })}
                </span>
              </div>
              {!s.current && (
                <button type="button" className="btn btn-danger" disabled={busy !== null} aria-label={t('settings.devices.revokeNamed', { name: s.deviceName })} onClick={() => void revoke([s.id])}>
                  {t('settings.devices.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 1 && (
        <div className="form-actions">
          <button type="button" className="btn btn-danger" disabled={busy !== null} onClick={() => void revoke(others.map((s) => s.id))}>
            {t('settings.devices.revokeAll')}
          </button>
        </div>
      )}
      <FormStatus status={status} />
    </Section>
  );
}

function PasswordSection({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const mismatch = confirm.length > 0 && confirm !== next;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (mismatch || next.length < 8) return;
    setBusy(true);
    setStatus(null);
    try {
      await client.auth.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setStatus({ kind: 'ok', text: t('settings.password.changed') });
      onChanged();
    } catch (err) {
      setStatus({ kind: 'error', text: err instanceof HearthError && err.code === 'INVALID_CREDENTIALS' ? t('settings.password.wrongCurrent') : errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="password" title={t('settings.password.title')} description={t('settings.password.hint')}>
      <form onSubmit={(e) => void submit(e)} className="settings-form password-form">
        <input type="text" name="username" autoComplete="username" value={client.users.me?.username ?? ''} readOnly hidden />
        <div className="field">
          <label htmlFor="pw-current">{t('settings.password.current')}</label>
          <input id="pw-current" type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="pw-new">{t('settings.password.new')}</label>
          <input
            id="pw-new"
            type="password"
            required
            minLength={8}
            maxLength={256}
            autoComplete="new-password"
            aria-describedby="pw-new-hint"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
          <span id="pw-new-hint" className="setting-hint">
            {t('settings.password.rule')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="pw-confirm">{t('settings.password.confirm')}</label>
          <input
            id="pw-confirm"
            type="password"
            required
            autoComplete="new-password"
            aria-invalid={mismatch}
            aria-describedby={mismatch ? 'pw-confirm-error' : undefined}
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {mismatch && (
            <span id="pw-confirm-error" className="field-error">
              {t('settings.password.mismatch')}
            </span>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || mismatch || !current || next.length < 8}>
            {t('settings.password.submit')}
          </button>
          <FormStatus status={status} />
        </div>
      </form>
    </Section>
  );
}

/** The user's profile, privacy, notifications, appearance, devices and password, and signing out. */
export function SettingsView() {
  const { t } = useTranslation();
  const client = useClient();
  const [sessionsKey, setSessionsKey] = useState(0);
  const [signingOut, setSigningOut] = useState(false);
  return (
    <section className="screen settings" aria-labelledby="settings-heading">
      <ScreenHeader id="settings-heading" title={t('settings.title')} />
      <div className="screen-body">
        <div className="screen-content settings-content">
          <ProfileSection />
          <NotificationsSection />
          <AppearanceSection />
          <PrivacySection />
          <DevicesSection reloadKey={sessionsKey} />
          <PasswordSection onChanged={() => setSessionsKey((n) => n + 1)} />
          <Section id="account" title={t('settings.account.title')} description={t('settings.account.hint')}>
            <button
              type="button"
              className="btn btn-danger"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void client.auth.signOut().catch(() => setSigningOut(false));
              }}
            >
              {t('settings.signOut')}
            </button>
          </Section>
        </div>
      </div>
    </section>
  );
}
