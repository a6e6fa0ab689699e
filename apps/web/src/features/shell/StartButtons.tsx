import { useTranslation } from 'react-i18next';
import { navigate } from '../../app/router.js';
import { Icon } from '../sidebar/icons.js';
import { openDialog } from './dialogs.js';

/** Ways to start: a direct message, a group (when `group`), browsing the channels. */
export function StartButtons({ group = false }: { group?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <button type="button" className="btn btn-primary" onClick={() => openDialog('direct')}>
        <Icon name="message" size={18} />
        {t('sidebar.new.direct')}
      </button>
      {group && (
        <button type="button" className="btn" onClick={() => openDialog('group')}>
          <Icon name="users" size={18} />
          {t('sidebar.new.group')}
        </button>
      )}
      <button type="button" className="btn" onClick={() => navigate({ name: 'channels' })}>
        <Icon name="compass" size={18} />
        {t('sidebar.new.browse')}
      </button>
    </>
  );
}
