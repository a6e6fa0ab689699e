import { useCallback, useEffect, useState } from 'react';
import { useErrorText } from '../../app/errors.js';

/** A short message at the bottom of the screen for 2.6 s ("Copied", an error). */
export function useToast(): { toast: string | null; show: (text: string) => void; showError: (err: unknown) => void } {
  const [toast, setToast] = useState<string | null>(null);
  const errorText = useErrorText();
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 2600);
    return () => clearTimeout(timer);
  }, [toast]);
  const showError = useCallback((err: unknown) => setToast(errorText(err)), [errorText]);
  return { toast, show: setToast, showError };
}
