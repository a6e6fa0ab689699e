import type { ChannelPreview, ChannelSummary, Conversation, Member } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/**
 * Conversations (direct, group, channel) and their members, as `client.conversations`. Besides the codes listed
 * on each method, calls that reach the server reject with UNAUTHENTICATED, VALIDATION_FAILED for an id that is not
 * a UUID, and the transport's HearthErrors (see `HttpTransport.call`). CONVERSATION_NOT_FOUND also means "you are
 * not a member".
 * @example const dm = await client.conversations.openDirect(ben.id);
 */
export class ConversationsApi {
  /**
   * Made by `HearthClient`; use `client.conversations`. Never throws.
   * @example const conversations = new ConversationsApi(client);
   */
  constructor(private readonly client: ClientContext) {}

  /**
   * Conversations held locally, most recent activity (last message, else creation) first. Those the user was removed
   * from are among them, read-only: `me.removal` says who removed them and when. Never throws.
   * @example for (const c of client.conversations.list()) renderRow(c);
   */
  list(): Conversation[] {
    const activity = (c: Conversation) => c.lastMessage?.createdAt ?? c.createdAt;
    // A direct conversation nothing was said in yet is a draft: `openDirect` returns it and `get` finds it, so that a
    // screen can offer to write, but it joins the list with its first message (as it does on the server).
    const drafts = (c: Conversation) => c.kind === 'direct' && c.lastMessage === null;
    return [...this.client.state.conversations.values()].filter((c) => !drafts(c)).sort((a, b) => activity(b) - activity(a));
  }

  /**
   * A conversation held locally (the live object, updated in place by events), or undefined. Never throws.
   * @example const unread = client.conversations.get(conversationId)?.me.unreadCount ?? 0;
   */
  get(conversationId: string): Conversation | undefined {
    return this.client.state.conversations.get(conversationId);
  }

  /**
   * Opens the direct conversation with a user (the existing one if there is one). A new one is a draft until its
   * first message: `get` finds it, but it is in no list, and the other person sees nothing of it, until something is
   * sent (then both get it, with that message). To write to someone in one call, see `messages.sendToUser`.
   * @example const dm = await client.conversations.openDirect(ben.id);
   * @throws HearthError USER_NOT_FOUND, OPERATION_NOT_ALLOWED (yourself), RATE_LIMITED
   */
  async openDirect(userId: string): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'direct', userId } }));
  }

  /**
   * Creates a private group; the caller is its owner, and `memberIds` (the caller and repeats dropped) join as
   * members.
   * @example const group = await client.conversations.createGroup({ title: 'Release', memberIds: [ben.id] });
   * @throws HearthError USER_NOT_FOUND (`details.userIds` lists the unknown ones), VALIDATION_FAILED (a title of 0
   * or over 100 characters, a topic over 500, over 1000 members), RATE_LIMITED
   */
  async createGroup(input: { title: string; memberIds?: string[]; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'group', memberIds: [], topic: '', ...input } }));
  }

  /**
   * Creates a public channel; the caller is its owner.
   * @example const channel = await client.conversations.createChannel({ title: 'General', topic: 'Say hi' });
   * @throws HearthError VALIDATION_FAILED (a title of 0 or over 100 characters, a topic over 500), RATE_LIMITED
   */
  async createChannel(input: { title: string; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'channel', topic: '', ...input } }));
  }

  /**
   * Renames or changes the topic of a group or channel (owner and admins); members get `conversation.updated`.
   * @example await client.conversations.update(conversationId, { topic: 'Ship 2.0 by Friday' });
   * @throws HearthError PERMISSION_DENIED (a plain member, or a direct conversation), CONVERSATION_NOT_FOUND,
   * VALIDATION_FAILED (neither `title` nor `topic`, or one out of bounds)
   */
  async update(conversationId: string, changes: { title?: string; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('updateConversation', { params: { conversationId }, body: changes }));
  }

  /**
   * Mutes or unmutes the conversation for the caller, on all their devices; the local copy changes once the
   * server has accepted it.
   * @example await client.conversations.setMuted(conversationId, true);
   * @throws HearthError CONVERSATION_NOT_FOUND
   */
  async setMuted(conversationId: string, muted: boolean): Promise<void> {
    await this.client.http.call('updateMySettings', { params: { conversationId }, body: { muted } });
    const c = this.get(conversationId);
    if (c) c.me.muted = muted;
    this.client.changed();
  }

  /**
   * Public channels of the server, largest first, optionally filtered by title (substring, ignoring case); at most
   * 50 (the server's default page).
   * @example const channels = await client.conversations.browseChannels('release');
   * @throws HearthError RATE_LIMITED, VALIDATION_FAILED (`q` over 100 characters)
   */
  async browseChannels(q = ''): Promise<ChannelSummary[]> {
    return (await this.client.http.call('browseChannels', { query: { q } })).channels;
  }

  /**
   * A public channel as anyone may see it before joining: its summary (`joined` says whether the caller is in it) and
   * its latest messages, read-only. Nothing is kept locally and no live event follows: page back with
   * `messages.page(id, { before })`, refresh by calling again, and `join()` to take part.
   * @example const { channel, messages, hasMore } = await client.conversations.preview(summary.id);
   * @throws HearthError CONVERSATION_NOT_FOUND (no such conversation, or not a channel), RATE_LIMITED
   */
  async preview(conversationId: string): Promise<ChannelPreview> {
    return this.client.http.call('previewChannel', { params: { conversationId } });
  }

  /**
   * Joins a public channel (joining twice is harmless). Everything posted before joining counts as read.
   * @example const channel = await client.conversations.join(summary.id);
   * @throws HearthError CONVERSATION_NOT_FOUND (no such conversation, or not a channel)
   */
  async join(conversationId: string): Promise<Conversation> {
    return this.adopt(await this.client.http.call('joinChannel', { params: { conversationId } }));
  }

  /**
   * Dismisses a conversation the user was removed from (`me.removal` set): its read-only copy goes, here and on the
   * user's other devices (`conversation.left`).
   * @example if (conversation.me.removal) await client.conversations.hide(conversation.id);
   * @throws HearthError OPERATION_NOT_ALLOWED (a conversation the user is still in: `leave()` it),
   * CONVERSATION_NOT_FOUND, RATE_LIMITED
   */
  async hide(conversationId: string): Promise<void> {
    await this.client.http.call('hideConversation', { params: { conversationId } });
    this.client.state.removeConversation(conversationId);
    this.client.changed();
  }

  /**
   * Leaves a group or channel and drops it locally. An owner who leaves hands ownership to the longest-standing
   * admin, else member.
   * @example await client.conversations.leave(conversationId);
   * @throws HearthError OPERATION_NOT_ALLOWED for direct conversations, CONVERSATION_NOT_FOUND
   */
  async leave(conversationId: string): Promise<void> {
    await this.client.http.call('leaveConversation', { params: { conversationId } });
    this.client.state.removeConversation(conversationId);
    this.client.changed();
  }

  /**
   * Members with their roles and receipt pointers; fetched and kept up to date from then on. A member's `readSeq`
   * is null when they or the caller do not share read receipts.
   * @example const members = await client.conversations.members(conversationId);
   * @throws HearthError CONVERSATION_NOT_FOUND
   */
  async members(conversationId: string): Promise<Member[]> {
    const { members } = await this.client.http.call('listMembers', { params: { conversationId } });
    this.client.state.setMembers(conversationId, members);
    this.client.changed();
    return members;
  }

  /**
   * Members held locally, if the list is known (after `members()`, or with a small conversation's
   * `conversation.joined` or a sync refetch). Never throws.
   * @example const count = client.conversations.cachedMembers(conversationId)?.length;
   */
  cachedMembers(conversationId: string): Member[] | undefined {
    const map = this.client.state.members.get(conversationId);
    return map ? [...map.values()] : undefined;
  }

  /**
   * Adds people (admins of groups; any member of channels). Returns those added: people already in are skipped.
   * The local member list follows through `member.joined` events.
   * @example const added = await client.conversations.addMembers(conversationId, [ben.id, cleo.id]);
   * @throws HearthError CONVERSATION_NOT_FOUND, PERMISSION_DENIED (a plain member of a group),
   * OPERATION_NOT_ALLOWED (a direct conversation), USER_NOT_FOUND (`details.userIds`), VALIDATION_FAILED (no ids,
   * or over 1000)
   */
  async addMembers(conversationId: string, userIds: string[]): Promise<Member[]> {
    return (await this.client.http.call('addMembers', { params: { conversationId }, body: { userIds } })).members;
  }

  /**
   * Removes a member (admins; only the owner removes admins; nobody removes the owner). Removing yourself is
   * leaving (see `leave()`), but the conversation is dropped locally only when `conversation.left` arrives.
   * @example await client.conversations.removeMember(conversationId, ben.id);
   * @throws HearthError PERMISSION_DENIED (not allowed to remove that member, or a direct conversation),
   * USER_NOT_FOUND (not a member), CONVERSATION_NOT_FOUND
   */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.client.http.call('removeMember', { params: { conversationId, userId } });
  }

  /**
   * Promotes to admin or demotes to member (owner only). Resolves with the member as updated.
   * @example await client.conversations.setRole(conversationId, ben.id, 'admin');
   * @throws HearthError PERMISSION_DENIED (not the owner, or a direct conversation), USER_NOT_FOUND (not a
   * member), OPERATION_NOT_ALLOWED (the target is the owner), CONVERSATION_NOT_FOUND
   */
  async setRole(conversationId: string, userId: string, role: 'admin' | 'member'): Promise<Member> {
    return this.client.http.call('updateMember', { params: { conversationId, userId }, body: { role } });
  }

  private adopt(conversation: Conversation): Conversation {
    this.client.adoptConversation(conversation);
    return this.get(conversation.id) ?? conversation;
  }
}
