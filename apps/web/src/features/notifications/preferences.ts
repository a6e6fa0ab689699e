import { useEffect, useSyncExternalStore } from 'react';

/**
 * Whether this device shows desktop notifications: the person's choice (kept per device in localStorage) and
 * the browser's permission. Permission is asked for only from a click on the setting, never on page load.
 */
const KEY = 'hearth.notifications';
const listeners = new Set<() => void>();

export type NotificationPermissionState = NotificationPermission | 'unsupported';

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function notificationPermission(): NotificationPermissionState {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** The person turned notifications on here (the permission may still be missing or revoked). */
export function notificationsWanted(): boolean {
  return localStorage.getItem(KEY) === 'on';
}

/** Notifications will actually be shown. */
export function notificationsActive(): boolean {
  return notificationsWanted() && notificationPermission() === 'granted';
}

function notify(): void {
  listeners.forEach((l) => l());
}

/**
 * Turns desktop notifications on or off. Turning them on asks the browser for permission, so call it from the
 * click handler of the control (browsers ignore or penalise permission prompts without a user gesture).
 * Resolves with the permission afterwards.
 */
export async function setNotificationsWanted(wanted: boolean): Promise<NotificationPermissionState> {
  if (!wanted) {
    localStorage.setItem(KEY, 'off');
    notify();
    return notificationPermission();
  }
  if (!notificationsSupported()) return 'unsupported';
  let permission: NotificationPermission = Notification.permission;
  if (permission !== 'denied') {
    try {
      permission = await Notification.requestPermission();
    } catch {
      permission = Notification.permission;
    }
  }
  localStorage.setItem(KEY, permission === 'granted' ? 'on' : 'off');
  notify();
  return permission;
}

let snapshot = '';
function read(): string {
  const next = `${notificationsWanted() ? 1 : 0}:${notificationPermission()}`;
  if (next !== snapshot) snapshot = next;
  return snapshot;
}

/** The setting and the permission, re-rendering when either changes (also from the browser's own UI). */
export function useNotificationSettings(): { wanted: boolean; permission: NotificationPermissionState; active: boolean } {
  const value = useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, read);
  useEffect(() => {
    let status: PermissionStatus | undefined;
    let live = true;
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        if (!live) return;
        status = s;
        s.onchange = notify;
      })
      .catch(() => undefined);
    window.addEventListener('focus', notify);
    return () => {
      live = false;
      if (status) status.onchange = null;
      window.removeEventListener('focus', notify);
    };
  }, []);
  const [wanted, permission] = value.split(':') as [string, NotificationPermissionState];
  return { wanted: wanted === '1', permission, active: wanted === '1' && permission === 'granted' };
}
