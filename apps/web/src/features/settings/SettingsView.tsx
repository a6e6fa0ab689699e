import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';

/** The user's profile, privacy, sessions and appearance settings. */
export function SettingsView() {
  const { t } = useTranslation();
  const client = useClient();
  return (
    <section>
      <h2>{t('sidebar.settings')}</h2>
      <button type="button" className="btn" onClick={() => void client.auth.signOut()}>
        {t('settings.signOut')}
      </button>
    </section>
  );
}
