import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { ScreenHeader } from '../shell/ScreenHeader.js';
import { Section } from './controls.js';
import { DevicesSection } from './DevicesSection.js';
import { PasswordSection } from './PasswordSection.js';
import { AppearanceSection, NotificationsSection, PrivacySection } from './PreferenceSections.js';
import { ProfileSection } from './ProfileSection.js';
import './settings.css';

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
