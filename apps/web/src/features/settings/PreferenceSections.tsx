import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { useClientState } from '../../app/store.js';
import { setTheme, useTheme, type ThemeChoice } from '../../app/theme.js';
import { LANGUAGES, setLanguage, type Language } from '../../i18n/index.js';
import { setNotificationsWanted, useNotificationSettings } from '../notifications/preferences.js';
import { FormStatus, Section, statusOf, Switch } from './controls.js';

/** Read receipts: the switch shows the new value at once, and goes back if saving it fails. */
export function PrivacySection() {
  const { t } = useTranslation();
  const client = useClient();
  const readReceipts = useClientState((c) => c.users.me?.readReceipts ?? true);
  const [pending, setPending] = useState<boolean | null>(null);
  const action = useAction();
  function change(value: boolean) {
    setPending(value);
    void action
      .run(async () => {
        await client.users.setReadReceipts(value);
      })
      .finally(() => setPending(null));
  }
  return (
    <Section id="privacy" title={t('settings.privacy.title')}>
      <Switch label={t('settings.privacy.readReceipts')} description={t('settings.privacy.readReceiptsHint')} checked={pending ?? readReceipts} disabled={pending !== null} onChange={change} />
      <FormStatus status={statusOf(action)} />
    </Section>
  );
}

/** Desktop notifications on this device, and why they may not show. */
export function NotificationsSection() {
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

/** Theme and language; the language shows as chosen at once, while its texts load. */
export function AppearanceSection() {
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
