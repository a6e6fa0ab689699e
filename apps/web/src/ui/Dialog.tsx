import { useEffect, useRef, type MouseEvent, type ReactNode, type RefObject, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import './ui.css';

/**
 * The props that make a native <dialog> modal for the life of the component: it opens with showModal (the browser
 * traps focus in it), Esc and a click on the backdrop call `onClose`, and focus returns to where it was.
 * @example const modal = useModal(onClose); return <dialog {...modal} aria-label="Photo">…</dialog>;
 */
export function useModal(onClose: () => void): {
  ref: RefObject<HTMLDialogElement | null>;
  onCancel: (e: SyntheticEvent) => void;
  onClick: (e: MouseEvent) => void;
} {
  const ref = useRef<HTMLDialogElement>(null);
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
  return {
    ref,
    onCancel: (e) => {
      e.preventDefault();
      onClose();
    },
    onClick: (e) => {
      if (e.target === ref.current) onClose();
    },
  };
}

/**
 * A modal dialog on the native <dialog> element: focus moves into it and is trapped by the browser, Esc closes
 * it, and focus returns to where it was.
 */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const modal = useModal(onClose);
  const { t } = useTranslation();
  return (
    <dialog {...modal} className={`dialog${wide ? ' dialog-wide' : ''}`} aria-labelledby="dialog-title">
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
