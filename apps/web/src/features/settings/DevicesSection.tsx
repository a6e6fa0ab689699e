import type { Session } from '@hearth/client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction, useErrorText } from '../../app/errors.js';
import { formatDateTime, formatRelative } from '../../i18n/index.js';
import { FormStatus, Section, statusOf } from './controls.js';

/** The signed-in devices, this one first, then the most recently used; reloaded when `reloadKey` changes. */
function useSessions(reloadKey: number): { sessions: Session[] | null; loadError: string | null; reload: () => void } {
  const client = useClient();
  const errorText = useErrorText();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.auth.sessions().then(
      (list) => setSessions([...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt)),
      (err: unknown) => setLoadError(errorText(err)),
    );
  }, [client, errorText]);
  useEffect(reload, [reload, reloadKey]);
  return { sessions, loadError, reload };
}

function SessionItem({ session, busy, onRevoke }: { session: Session; busy: boolean; onRevoke: () => void }) {
  const { t } = useTranslation();
  return (
    <li className="session">
      <span className="session-icon" aria-hidden="true">
        {/Android|iPhone|iPad/.test(session.userAgent) ? '📱' : '💻'}
      </span>
      <div className="session-info">
        <span className="session-name">
          {session.deviceName}
          {session.current && <span className="tag">{t('settings.devices.thisDevice')}</span>}
        </span>
        <span className="session-meta" title={formatDateTime(session.lastUsedAt)}>
          {session.current ? t('settings.devices.activeNow') : t('settings.devices.lastUsed', { when: formatRelative(session.lastUsedAt) })}
          {' · '}
          {t('settings.devices.signedIn', { when: formatDateTime(session.createdAt) })}
        </span>
      </div>
      {!session.current && (
        <button type="button" className="btn btn-danger" disabled={busy} aria-label={t('settings.devices.revokeNamed', { name: session.deviceName })} onClick={onRevoke}>
          {t('settings.devices.revoke')}
        </button>
      )}
    </li>
  );
}

/** The devices signed in to the account, and signing any of them (or all the others) out. */
export function DevicesSection({ reloadKey }: { reloadKey: number }) {
  const { t } = useTranslation();
  const client = useClient();
  const { sessions, loadError, reload } = useSessions(reloadKey);
  const action = useAction();
  function revoke(ids: string[]) {
    void action
      .run(async () => {
        for (const id of ids) await client.auth.revokeSession(id);
        return t('settings.devices.revoked', { count: ids.length });
      })
      .finally(reload);
  }
  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <Section id="devices" title={t('settings.devices.title')} description={t('settings.devices.hint')}>
      {sessions === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <ul className="session-list">
          {sessions.map((s) => (
            <SessionItem key={s.id} session={s} busy={action.busy} onRevoke={() => revoke([s.id])} />
          ))}
        </ul>
      )}
      {others.length > 1 && (
        <div className="form-actions">
          <button type="button" className="btn btn-danger" disabled={action.busy} onClick={() => revoke(others.map((s) => s.id))}>
            {t('settings.devices.revokeAll')}
          </button>
        </div>
      )}
      <FormStatus status={statusOf(action) ?? (loadError ? { kind: 'error', text: loadError } : null)} />
    </Section>
  );
}
