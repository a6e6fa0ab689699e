import type { ConversationKind, HearthClient, PresenceState } from '@hearth/client';
import { conversationTitle } from '../../app/people.js';
import { shallowEqual } from '../../app/store.js';
import { fold, fullTime, listTime, previewOf, type Preview } from './format.js';

export type Filter = 'all' | 'unread' | 'direct' | 'group' | 'channel';
export const FILTERS: Filter[] = ['all', 'unread', 'direct', 'group', 'channel'];

/** A conversation that passes the filters: what the list needs of every one, cheap to build for hundreds. */
export interface Entry {
  id: string;
  title: string;
  unread: number;
}

/** The conversations that pass the filter and the query (on their titles), most recent first. */
export function entries(client: HearthClient, filter: Filter, query: string, activeId: string | null): Entry[] {
  const folded = fold(query.trim());
  const out: Entry[] = [];
  for (const c of client.conversations.list()) {
    if (filter === 'unread' && c.me.unreadCount === 0 && c.id !== activeId) continue;
    if (filter !== 'all' && filter !== 'unread' && c.kind !== filter) continue;
    const title = conversationTitle(client, c);
    if (folded && !fold(title).includes(folded)) continue;
    out.push({ id: c.id, title, unread: c.me.unreadCount });
  }
  return out;
}

/** Everything one row shows, as plain values, so that unchanged rows skip rendering. */
export interface RowModel {
  kind: ConversationKind;
  title: string;
  avatarId: string;
  presence: PresenceState | undefined;
  time: string;
  timeFull: string;
  iso: string;
  preview: Preview;
  typing: string | null;
  unread: number;
  mentions: number;
  muted: boolean;
}

type T = (key: string, options?: Record<string, unknown>) => string;

function typingText(client: HearthClient, conversationId: string, direct: boolean, t: T): string | null {
  const typers = client.typers(conversationId).filter((id) => id !== client.users.me?.id);
  if (typers.length === 1) return direct ? t('sidebar.typing.direct') : t('sidebar.typing.one', { name: client.users.cached(typers[0]!)?.displayName ?? '…' });
  return typers.length > 1 ? t('sidebar.typing.many', { count: typers.length }) : null;
}

/** The full row of one conversation (preview, times, typing, presence), built only for the rows on screen. */
export function rowModel(client: HearthClient, id: string, t: T, now = Date.now()): RowModel | undefined {
  const c = client.conversations.get(id);
  if (!c) return undefined;
  const at = c.lastMessage?.createdAt ?? c.createdAt;
  return {
    kind: c.kind,
    title: conversationTitle(client, c),
    avatarId: c.peerId ?? c.id,
    presence: c.kind === 'direct' && c.peerId ? (client.state.presence.get(c.peerId)?.state ?? 'offline') : undefined,
    time: listTime(at, now),
    timeFull: fullTime(at),
    iso: new Date(at).toISOString(),
    preview: previewOf(client, c, t),
    typing: typingText(client, c.id, c.kind === 'direct', t),
    unread: c.me.unreadCount,
    mentions: c.me.unreadMentionCount,
    muted: c.me.muted,
  };
}

export function sameRowModel(a: RowModel | undefined, b: RowModel | undefined): boolean {
  if (!a || !b) return a === b;
  return shallowEqual({ ...a, preview: null }, { ...b, preview: null }) && shallowEqual(a.preview, b.preview);
}
