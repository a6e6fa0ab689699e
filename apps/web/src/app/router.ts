import { useSyncExternalStore } from 'react';

/** The app's screens, from the URL path. */
export type Route =
  | { name: 'home' }
  | { name: 'conversation'; id: string }
  | { name: 'settings' }
  | { name: 'channels' };

export function parseRoute(pathname: string): Route {
  const conversation = /^\/c\/([0-9a-f-]{36})\/?$/.exec(pathname);
  if (conversation) return { name: 'conversation', id: conversation[1]! };
  if (pathname.startsWith('/settings')) return { name: 'settings' };
  if (pathname.startsWith('/channels')) return { name: 'channels' };
  return { name: 'home' };
}

export function pathOf(route: Route): string {
  switch (route.name) {
    case 'conversation':
      return `/c/${route.id}`;
    case 'settings':
      return '/settings';
    case 'channels':
      return '/channels';
    default:
      return '/';
  }
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Goes to a screen, adding a history entry (or replacing the current one). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (path === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

/** The current route; re-renders on navigation and on the browser's back and forward. */
export function useRoute(): Route {
  const path = useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => window.location.pathname,
  );
  return parseRoute(path);
}
