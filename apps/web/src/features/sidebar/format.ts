import type { Conversation, HearthClient, Message } from '@hearth/client';
import i18next from 'i18next';
import { systemText } from '../conversation/systemLine.js';
import { mediaSummary } from '../media/format.js';

const DAY = 86_400_000;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Intl formatters are costly to create: one per language and style, reused. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${i18next.language}|${style}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(i18next.language, options)));
  return f;
}

/** A conversation's time in the list: the time today, the weekday within the last week, else the date. */
export function listTime(ms: number, now = Date.now()): string {
  const today = startOfDay(now);
  if (ms >= today) return formatter('time', { hour: 'numeric', minute: '2-digit' }).format(ms);
  if (ms >= today - 6 * DAY) return formatter('weekday', { weekday: 'short' }).format(ms);
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return sameYear
    ? formatter('date', { day: 'numeric', month: 'short' }).format(ms)
    : formatter('date-year', { day: 'numeric', month: 'short', year: 'numeric' }).format(ms);
}

/** The full date and time, for the tooltip and screen readers. */
export function fullTime(ms: number): string {
  return formatter('full', { dateStyle: 'full', timeStyle: 'short' }).format(ms);
}

/** Message text reduced to one plain line: markdown markers and line breaks removed. */
export function plainLine(text: string, max = 140): string {
  const line = text
    .replace(/```[a-z]*\n?/gi, '')
    .replace(/^\s{0,3}(?:>|#{1,6}|[-*+]|\d+\.)\s+/gm, '')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export interface Preview {
  /** "You", "Ana", or null (direct messages from the other person, and no message). */
  sender: string | null;
  text: string;
  /** Shown in italics: a deleted message, or no message yet. */
  italic: boolean;
  forwarded: boolean;
}

type T = (key: string, options?: Record<string, unknown>) => string;

/** What the list shows under a conversation's title. */
export function previewOf(client: HearthClient, conversation: Conversation, t: T): Preview {
  const m: Message | null = conversation.lastMessage;
  if (!m) {
    if (conversation.topic) return { sender: null, text: plainLine(conversation.topic), italic: false, forwarded: false };
    return { sender: null, text: t('sidebar.preview.empty'), italic: true, forwarded: false };
  }
  const mine = m.senderId === client.users.me?.id;
  if (m.deletedAt || !m.content) {
    return { sender: null, text: mine ? t('sidebar.preview.deletedByYou') : t('sidebar.preview.deleted'), italic: true, forwarded: false };
  }
  if (m.content.type === 'system') return { sender: null, text: systemText(client, m.senderId, m.content, t), italic: true, forwarded: false };
  const sender = mine ? t('sidebar.preview.you') : conversation.kind === 'direct' ? null : (client.users.cached(m.senderId)?.displayName ?? '…');
  const text = m.content.type === 'media' ? mediaSummary(m.content, t, plainLine) : plainLine(m.content.text);
  return { sender, text, italic: false, forwarded: m.forwarded !== null };
}

/** Case- and accent-insensitive form of a string, for filtering. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}
