import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import './ui.css';

/**
 * A modal dialog on the native <dialog> element: focus moves into it and is trapped by the browser, Esc closes
 * it, and focus returns to where it was.
 */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useTranslation();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      previous?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="dialog-body">
        <header className="dialog-header">
          <h2 id="dialog-title">{title}</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}

/**
 * The bottom of a dialog: its error (announced), Cancel, and the dialog's own action (`children`).
 * @example <DialogActions error={error} onCancel={onClose}><button type="submit" className="btn btn-primary">Create</button></DialogActions>
 */
export function DialogActions({ error, onCancel, children }: { error: string | null; onCancel: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-buttons">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        {children}
      </div>
    </>
  );
}
