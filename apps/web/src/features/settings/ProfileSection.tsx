import type { Me } from '@hearth/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { useClientState } from '../../app/store.js';
import { Avatar } from '../../ui/Avatar.js';
import { EmojiChooser, FormStatus, Section, statusOf } from './controls.js';

const PRESETS = [
  { emoji: '📅', key: 'meeting' },
  { emoji: '🚌', key: 'commuting' },
  { emoji: '🤒', key: 'sick' },
  { emoji: '🌴', key: 'vacation' },
  { emoji: '🏠', key: 'remote' },
] as const;

interface ProfileFields {
  displayName: string;
  statusText: string;
  statusEmoji: string;
  /** '' when not shared. */
  timeZone: string;
}

function fieldsOf(me: Me | undefined): ProfileFields {
  return { displayName: me?.displayName ?? '', statusText: me?.statusText ?? '', statusEmoji: me?.statusEmoji ?? '', timeZone: me?.timeZone ?? '' };
}

/** Every zone this browser knows, with the chosen one even if it does not (a zone set on another device). */
function zonesWith(current: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return current && !zones.includes(current) ? [current, ...zones] : zones;
}

/** The time zone others see the person's local time in; "not shared" clears it. */
function TimeZoneField({ value, onChange }: { value: string; onChange: (timeZone: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor="settings-time-zone">{t('settings.profile.timeZone')}</label>
      <select id="settings-time-zone" value={value} aria-describedby="settings-time-zone-hint" onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('settings.profile.timeZoneNone')}</option>
        {zonesWith(value).map((zone) => (
          <option key={zone} value={zone}>
            {zone.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
      <p id="settings-time-zone-hint" className="setting-hint">
        {t('settings.profile.timeZoneHint')}
      </p>
    </div>
  );
}

/** The form's fields, following changes made on another device unless this form has unsaved edits. */
function useProfileFields(me: Me | undefined): [ProfileFields, (change: Partial<ProfileFields>) => void] {
  const [fields, setFields] = useState(() => fieldsOf(me));
  const [base, setBase] = useState(me);
  if (me && me !== base) {
    const edited = (Object.keys(fields) as Array<keyof ProfileFields>).some((k) => fields[k] !== fieldsOf(base)[k]);
    if (!edited) setFields(fieldsOf(me));
    setBase(me);
  }
  return [fields, (change) => setFields((f) => ({ ...f, ...change }))];
}

/** The status: an emoji, a text, a button to clear them, and a few ready-made ones. */
function StatusField({ fields, onChange }: { fields: ProfileFields; onChange: (change: Partial<ProfileFields>) => void }) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor="settings-status">{t('settings.profile.status')}</label>
      <div className="status-input">
        <EmojiChooser value={fields.statusEmoji} onChange={(statusEmoji) => onChange({ statusEmoji })} />
        <input
          id="settings-status"
          maxLength={140}
          placeholder={t('settings.profile.statusPlaceholder')}
          value={fields.statusText}
          onChange={(e) => onChange({ statusText: e.target.value })}
          autoComplete="off"
        />
        {(fields.statusText || fields.statusEmoji) && (
          <button type="button" className="btn" onClick={() => onChange({ statusText: '', statusEmoji: '' })}>
            {t('settings.profile.clearStatus')}
          </button>
        )}
      </div>
      <div className="presets" role="group" aria-label={t('settings.profile.presets')}>
        {PRESETS.map((p) => (
          <button key={p.key} type="button" className="chip" onClick={() => onChange({ statusEmoji: p.emoji, statusText: t(`settings.profile.preset.${p.key}`) })}>
            <span aria-hidden="true">{p.emoji}</span> {t(`settings.profile.preset.${p.key}`)}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Display name, status and time zone. */
export function ProfileSection() {
  const { t } = useTranslation();
  const client = useClient();
  const me = useClientState((c) => c.users.me);
  const [fields, change] = useProfileFields(me);
  const action = useAction();
  const displayName = fields.displayName.trim();
  const dirty =
    me !== undefined && (displayName !== me.displayName || fields.statusText.trim() !== me.statusText || fields.statusEmoji !== me.statusEmoji || fields.timeZone !== (me.timeZone ?? ''));

  function save(e: FormEvent) {
    e.preventDefault();
    if (!displayName) return;
    void action.run(async () => {
      await client.users.updateMe({ displayName, statusText: fields.statusText.trim(), statusEmoji: fields.statusEmoji, timeZone: fields.timeZone });
      return t('settings.profile.saved');
    });
  }
  return (
    <Section id="profile" title={t('settings.profile.title')}>
      <form onSubmit={save} className="settings-form">
        <div className="profile-head">
          <Avatar id={me?.id ?? 'me'} name={fields.displayName || '?'} size={56} />
          <div>
            <div className="profile-name">{fields.displayName || '…'}</div>
            <div className="muted">@{me?.username}</div>
          </div>
        </div>
        <div className="field">
          <label htmlFor="settings-display-name">{t('settings.profile.displayName')}</label>
          <input id="settings-display-name" required maxLength={64} autoComplete="name" value={fields.displayName} onChange={(e) => change({ displayName: e.target.value })} />
        </div>
        <StatusField fields={fields} onChange={change} />
        <TimeZoneField value={fields.timeZone} onChange={(timeZone) => change({ timeZone })} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty || !displayName}>
            {t('settings.profile.save')}
          </button>
          <FormStatus status={statusOf(action)} />
        </div>
      </form>
    </Section>
  );
}
