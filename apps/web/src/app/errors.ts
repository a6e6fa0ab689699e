import { HearthError } from '@hearth/client';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Turns any failure into a sentence for the user: the server's own message for a rejected field (it names the
 * field), else the translation of the error code, else a generic "something went wrong".
 */
export function useErrorText(): (err: unknown) => string {
  const { t } = useTranslation();
  return useCallback(
    (err: unknown) => {
      if (err instanceof HearthError && err.code === 'VALIDATION_FAILED' && err.message) return err.message;
      return t(`common.errors.${err instanceof HearthError ? err.code : 'default'}`, { defaultValue: t('common.errors.default') });
    },
    [t],
  );
}

/**
 * One user action at a time (a form submit, a button): `busy` while it runs, `error` as text when it fails, and
 * `done`, the text the action resolved with, when it succeeds. `describe` may word an error itself (else the
 * error's code is translated).
 * @example const action = useAction(); <form onSubmit={(e) => { e.preventDefault(); void action.run(save); }}>
 */
export function useAction(): {
  busy: boolean;
  error: string | null;
  done: string | null;
  run: (action: () => Promise<string | void>, describe?: (err: unknown) => string | undefined) => Promise<void>;
} {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(
    async (action: () => Promise<string | void>, describe?: (err: unknown) => string | undefined) => {
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        setDone((await action()) ?? null);
      } catch (err) {
        setError(describe?.(err) ?? errorText(err));
      } finally {
        setBusy(false);
      }
    },
    [errorText],
  );
  return { busy, error, done, run };
}
