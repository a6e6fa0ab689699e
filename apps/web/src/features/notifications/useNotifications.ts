import type { Conversation, HearthClient, Message } from '@hearth/client';
import i18next from 'i18next';
import { useEffect } from 'react';
import { useClient } from '../../app/client.js';
import { conversationTitle } from '../../app/people.js';
import { navigate, parseRoute } from '../../app/router.js';
import { writtenLine } from '../media/format.js';
import { plainLine } from '../sidebar/format.js';
import { notificationsActive } from './preferences.js';

const APP_NAME = 'Hearth';
/** Activity reports are throttled: one per this interval at most (the SDK resets its idle timer on each). */
const ACTIVITY_THROTTLE_MS = 10_000;
/** A hidden tab reports the device idle after this long… */
const HIDDEN_IDLE_MS = 60_000;
/** …and a visible but unfocused window (another app in front) after this long. */
const BLUR_IDLE_MS = 3 * 60_000;
/** Messages replayed after a reconnect that are older than this do not pop up. */
const STALE_MS = 2 * 60_000;

/** Unread messages worth a number in the tab title: all in unmuted conversations, mentions in muted ones. */
export function titleCount(client: HearthClient): number {
  let n = 0;
  for (const c of client.state.conversations.values()) n += c.me.muted ? c.me.unreadMentionCount : c.me.unreadCount;
  return n;
}

/** The favicon: the app's dot, with a badge when something is unread. */
function faviconHref(unread: boolean): string {
  const badge = unread ? "%3Ccircle cx='25' cy='7' r='6.5' fill='%23b42318' stroke='white' stroke-width='1.5'/%3E" : '';
  return `data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Ccircle cx='16' cy='16' r='15' fill='%23e0592a'/%3E${badge}%3C/svg%3E`;
}

function updateTitle(client: HearthClient, last: { count: number }): void {
  const count = titleCount(client);
  if (count === last.count) return;
  last.count = count;
  document.title = count > 0 ? `(${count > 999 ? '999+' : count}) ${APP_NAME}` : APP_NAME;
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (icon) icon.href = faviconHref(count > 0);
}

function pageInBackground(): boolean {
  return document.visibilityState !== 'visible' || !document.hasFocus();
}

/** Whether this message deserves a desktop notification. */
function shouldNotify(client: HearthClient, conversation: Conversation | undefined, message: Message): conversation is Conversation {
  if (!conversation || conversation.me.muted || !message.content || message.content.type === 'system' || message.deletedAt) return false;
  if (message.senderId === client.users.me?.id) return false;
  if (Date.now() - message.createdAt > STALE_MS) return false;
  if (conversation.kind !== 'direct' && !client.state.mentionsMe(message)) return false;
  if (!pageInBackground()) return false;
  return notificationsActive();
}

function showNotification(client: HearthClient, conversation: Conversation, message: Message): void {
  const sender = client.users.cached(message.senderId)?.displayName ?? i18next.t('notifications.someone');
  const title =
    conversation.kind === 'direct'
      ? sender
      : i18next.t('notifications.inConversation', { name: sender, conversation: conversationTitle(client, conversation) });
  const body = writtenLine(message.content, i18next.t, (text) => plainLine(text, 200));
  try {
    const notification = new Notification(title, { body, tag: conversation.id, lang: i18next.language, dir: 'auto' });
    notification.onclick = (e) => {
      e.preventDefault();
      window.focus();
      navigate({ name: 'conversation', id: conversation.id });
      notification.close();
    };
  } catch {
    // Some platforms (Android Chrome) allow notifications only from a service worker; nothing to show then.
  }
}

/** The unread count in the tab title and a badge on the favicon. */
function useTabTitle(client: HearthClient): void {
  useEffect(() => {
    const last = { count: -1 };
    updateTitle(client, last);
    const off = client.on('change', () => updateTitle(client, last));
    return () => {
      off();
      document.title = APP_NAME;
      const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
      if (icon) icon.href = faviconHref(false);
    };
  }, [client]);
}

/** Desktop notifications for direct messages and mentions while the page is in the background. */
function useDesktopNotifications(client: HearthClient): void {
  useEffect(() => {
    const shown = new Set<string>();
    return client.on('message.created', ({ message }) => {
      const conversation = client.conversations.get(message.conversationId);
      if (shown.has(message.id) || !shouldNotify(client, conversation, message)) return;
      shown.add(message.id);
      const route = parseRoute(window.location.pathname);
      if (route.name === 'conversation' && route.id === conversation.id && document.visibilityState === 'visible' && document.hasFocus()) return;
      // The sender's name may not be cached yet (a first message from someone new).
      if (client.users.cached(message.senderId)) showNotification(client, conversation, message);
      else void client.users.get(message.senderId).finally(() => showNotification(client, conversation, message));
    });
  }, [client]);
}

/** Presence: input means the person is here; a page hidden or unfocused for a while means they are away. */
function usePresenceReporting(client: HearthClient): void {
  useEffect(() => {
    let lastReport = 0;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const active = () => {
      clearTimeout(idleTimer);
      idleTimer = undefined;
      const now = Date.now();
      if (now - lastReport < ACTIVITY_THROTTLE_MS) return;
      lastReport = now;
      client.reportActivity();
    };
    const idleAfter = (ms: number) => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        lastReport = 0;
        client.setIdle(true);
      }, ms);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') idleAfter(HIDDEN_IDLE_MS);
      else {
        lastReport = 0;
        active();
      }
    };
    const onBlur = () => idleAfter(BLUR_IDLE_MS);
    const onFocus = () => {
      lastReport = 0;
      active();
    };
    const inputs = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
    for (const type of inputs) window.addEventListener(type, active, { passive: true, capture: true });
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('blur', onBlur);
    window.addEventListener('focus', onFocus);
    return () => {
      clearTimeout(idleTimer);
      for (const type of inputs) window.removeEventListener(type, active, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('focus', onFocus);
    };
  }, [client]);
}

/**
 * Mounted once in the Shell: keeps the unread count in the tab title and favicon, shows desktop notifications
 * for direct messages and mentions while the page is in the background, and tells the server whether the person
 * is at this device (presence: active on input, idle when the page stays hidden or unfocused).
 */
export function useNotifications(): void {
  const client = useClient();
  useTabTitle(client);
  useDesktopNotifications(client);
  usePresenceReporting(client);
}
