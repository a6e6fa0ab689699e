import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from '../../app/router.js';
import { Icon } from '../sidebar/icons.js';

/**
 * The header of a full screen beside the list (settings, channels): its heading, its actions, and on narrow
 * screens, where the list is a screen of its own, a back button to it.
 */
export function ScreenHeader({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <header className="screen-header">
      <button type="button" className="icon-btn screen-back" aria-label={t('shell.back')} title={t('shell.back')} onClick={() => navigate({ name: 'home' })}>
        <Icon name="back" className="icon-flip" />
      </button>
      <h2 id={id} className="screen-title">
        {title}
      </h2>
      {children && <div className="screen-actions">{children}</div>}
    </header>
  );
}
