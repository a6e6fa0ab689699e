import { HearthError } from '@hearth/client';
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../app/client.js';
import { useAction } from '../../app/errors.js';
import { FormStatus, Section, statusOf } from './controls.js';

/** A labelled password input, with a hint or an error read with it. */
function PasswordField({
  id,
  label,
  value,
  onChange,
  hint,
  error,
  ...input
}: { id: string; label: string; value: string; onChange: (value: string) => void; hint?: string; error?: string | undefined } & Pick<
  InputHTMLAttributes<HTMLInputElement>,
  'autoComplete' | 'minLength' | 'maxLength' | 'aria-invalid'
>) {
  const described = hint ? `${id}-hint` : error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="password" required {...input} aria-describedby={described} value={value} onChange={(e) => onChange(e.target.value)} />
      {hint && (
        <span id={`${id}-hint`} className="setting-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Changing the password (which signs the other devices out: `onChanged` reloads the device list). */
export function PasswordSection({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const action = useAction();
  const mismatch = confirm.length > 0 && confirm !== next;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (mismatch || next.length < 8) return;
    void action.run(
      async () => {
        await client.auth.changePassword(current, next);
        setCurrent('');
        setNext('');
        setConfirm('');
        onChanged();
        return t('settings.password.changed');
      },
      (err) => (err instanceof HearthError && err.code === 'INVALID_CREDENTIALS' ? t('settings.password.wrongCurrent') : undefined),
    );
  }
  return (
    <Section id="password" title={t('settings.password.title')} description={t('settings.password.hint')}>
      <form onSubmit={submit} className="settings-form password-form">
        <input type="text" name="username" autoComplete="username" value={client.users.me?.username ?? ''} readOnly hidden />
        <PasswordField id="pw-current" label={t('settings.password.current')} autoComplete="current-password" value={current} onChange={setCurrent} />
        <PasswordField id="pw-new" label={t('settings.password.new')} autoComplete="new-password" value={next} onChange={setNext} minLength={8} maxLength={256} hint={t('settings.password.rule')} />
        <PasswordField
          id="pw-confirm"
          label={t('settings.password.confirm')}
          autoComplete="new-password"
          value={confirm}
          onChange={setConfirm}
          aria-invalid={mismatch}
          error={mismatch ? t('settings.password.mismatch') : undefined}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || mismatch || !current || next.length < 8}>
            {t('settings.password.submit')}
          </button>
          <FormStatus status={statusOf(action)} />
        </div>
      </form>
    </Section>
  );
}
