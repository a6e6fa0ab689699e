import { useSyncExternalStore } from 'react';

/** The app-wide dialogs the Shell hosts; any screen may open one (the sidebar's "new" menu, the empty state …). */
export type ShellDialog = 'direct' | 'group' | 'channel' | 'switcher';

let current: ShellDialog | null = null;
const listeners = new Set<() => void>();

export function openDialog(dialog: ShellDialog | null): void {
  if (current === dialog) return;
  current = dialog;
  listeners.forEach((l) => l());
}

export function currentDialog(): ShellDialog | null {
  return current;
}

export function closeDialog(): void {
  openDialog(null);
}

export function useOpenDialog(): ShellDialog | null {
  return useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => current,
  );
}
