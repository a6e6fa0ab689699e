import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** One settings section: a card with a heading, in the page outline. */
export function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`} id={id}>
      <h3 id={`${id}-heading`}>{title}</h3>
      {description && <p className="settings-description">{description}</p>}
      {children}
    </section>
  );
}

/** An on/off switch with a visible label and an optional description read with it. */
export function Switch({
  label,
  description,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  description?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="setting-row">
      <div className="setting-text">
        <span id={`${id}-label`} className="setting-label">
          {label}
        </span>
        {description && (
          <span id={`${id}-description`} className="setting-hint">
            {description}
          </span>
        )}
      </div>
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        aria-describedby={description ? `${id}-description` : undefined}
        disabled={disabled}
        onClick={() => onChange(!checked)}
      >
        <span className="switch-thumb" />
      </button>
    </div>
  );
}

export type Status = { kind: 'ok' | 'error'; text: string } | null;

/** The status of a `useAction`: its error, else what it did. */
export function statusOf({ error, done }: { error: string | null; done: string | null }): Status {
  return error ? { kind: 'error', text: error } : done ? { kind: 'ok', text: done } : null;
}

/** A status line under a form: success or error, announced politely. */
export function FormStatus({ status }: { status: Status }) {
  return (
    <p className={`form-status${status ? ` form-status-${status.kind}` : ''}`} role={status?.kind === 'error' ? 'alert' : 'status'}>
      {status?.text ?? ''}
    </p>
  );
}

const STATUS_EMOJI = ['💬', '📅', '🚌', '🏠', '🤒', '🌴', '🎧', '☕', '🍔', '💻', '🎉', '🙂', '🔕', '🚀', '✈️', '🏃'];

/** A button showing the status emoji that opens a small grid of choices (Esc or a click outside closes it). */
export function EmojiChooser({ value, onChange }: { value: string; onChange: (emoji: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    wrapper.current?.querySelector<HTMLElement>('.status-emoji-grid button')?.focus();
    function outside(e: PointerEvent) {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    }
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  function choose(emoji: string) {
    onChange(emoji);
    setOpen(false);
    button.current?.focus();
  }
  return (
    <div className="status-emoji" ref={wrapper}>
      <button
        ref={button}
        type="button"
        className="status-emoji-btn"
        aria-label={value ? t('settings.profile.emojiChosen', { emoji: value }) : t('settings.profile.emoji')}
        title={t('settings.profile.emoji')}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        {value || <span className="status-emoji-placeholder" aria-hidden="true">☺</span>}
      </button>
      {open && (
        <div
          id={id}
          className="status-emoji-popover"
          role="group"
          aria-label={t('settings.profile.emoji')}
          onKeyDown={(e) => {
            const all = [...(wrapper.current?.querySelectorAll<HTMLElement>('.status-emoji-grid button') ?? [])];
            const i = all.indexOf(document.activeElement as HTMLElement);
            const rtl = document.documentElement.dir === 'rtl';
            const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
            if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setOpen(false);
              button.current?.focus();
            } else if (step !== undefined && i >= 0) {
              e.preventDefault();
              all[Math.max(0, Math.min(all.length - 1, i + step))]?.focus();
            }
          }}
        >
          <div className="status-emoji-grid">
            {STATUS_EMOJI.map((emoji) => (
              <button key={emoji} type="button" className={emoji === value ? 'selected' : ''} aria-pressed={emoji === value} onClick={() => choose(emoji)}>
                {emoji}
              </button>
            ))}
          </div>
          <button type="button" className="btn status-emoji-none" onClick={() => choose('')}>
            {t('settings.profile.noEmoji')}
          </button>
        </div>
      )}
    </div>
  );
}
