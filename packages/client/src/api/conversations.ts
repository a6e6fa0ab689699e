import type { ChannelSummary, Conversation, Member } from '@hearth/protocol';
import type { ClientContext } from './context.js';

/** Conversations (direct, group, channel) and their members. */
export class ConversationsApi {
  constructor(private readonly client: ClientContext) {}

  /** Conversations held locally, most recent activity first. */
  list(): Conversation[] {
    const activity = (c: Conversation) => c.lastMessage?.createdAt ?? c.createdAt;
    return [...this.client.state.conversations.values()].sort((a, b) => activity(b) - activity(a));
  }

  /** A conversation held locally. */
  get(conversationId: string): Conversation | undefined {
    return this.client.state.conversations.get(conversationId);
  }

  /**
   * Opens the direct conversation with a user (the existing one if there is one).
   * @example const dm = await client.conversations.openDirect(ben.id);
   * @throws HearthError USER_NOT_FOUND, OPERATION_NOT_ALLOWED (yourself)
   */
  async openDirect(userId: string): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'direct', userId } }));
  }

  /** Creates a private group; the caller is its owner. */
  async createGroup(input: { title: string; memberIds?: string[]; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'group', memberIds: [], topic: '', ...input } }));
  }

  /** Creates a public channel; the caller is its owner. */
  async createChannel(input: { title: string; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('createConversation', { body: { kind: 'channel', topic: '', ...input } }));
  }

  /** Renames or changes the topic (admins). @throws HearthError PERMISSION_DENIED */
  async update(conversationId: string, changes: { title?: string; topic?: string }): Promise<Conversation> {
    return this.adopt(await this.client.http.call('updateConversation', { params: { conversationId }, body: changes }));
  }

  /** Mutes or unmutes the conversation for the caller, on all their devices. */
  async setMuted(conversationId: string, muted: boolean): Promise<void> {
    await this.client.http.call('updateMySettings', { params: { conversationId }, body: { muted } });
    const c = this.get(conversationId);
    if (c) c.me.muted = muted;
    this.client.changed();
  }

  /** Public channels of the server, largest first, optionally filtered by title. */
  async browseChannels(q = ''): Promise<ChannelSummary[]> {
    return (await this.client.http.call('browseChannels', { query: { q } })).channels;
  }

  /** Joins a public channel (joining twice is harmless). */
  async join(conversationId: string): Promise<Conversation> {
    return this.adopt(await this.client.http.call('joinChannel', { params: { conversationId } }));
  }

  /** Leaves a group or channel. @throws HearthError OPERATION_NOT_ALLOWED for direct conversations */
  async leave(conversationId: string): Promise<void> {
    await this.client.http.call('leaveConversation', { params: { conversationId } });
    this.client.state.removeConversation(conversationId);
    this.client.changed();
  }

  /** Members with their roles and receipt pointers; fetched and kept up to date from then on. */
  async members(conversationId: string): Promise<Member[]> {
    const { members } = await this.client.http.call('listMembers', { params: { conversationId } });
    this.client.state.setMembers(conversationId, members);
    this.client.changed();
    return members;
  }

  /** Members held locally, if the list is known. */
  cachedMembers(conversationId: string): Member[] | undefined {
    const map = this.client.state.members.get(conversationId);
    return map ? [...map.values()] : undefined;
  }

  /** Adds people (admins of groups; any member of channels). Returns those added. */
  async addMembers(conversationId: string, userIds: string[]): Promise<Member[]> {
    return (await this.client.http.call('addMembers', { params: { conversationId }, body: { userIds } })).members;
  }

  /** Removes a member (admins; only the owner removes admins). */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.client.http.call('removeMember', { params: { conversationId, userId } });
  }

  /** Promotes to admin or demotes to member (owner only). */
  async setRole(conversationId: string, userId: string, role: 'admin' | 'member'): Promise<Member> {
    return this.client.http.call('updateMember', { params: { conversationId, userId }, body: { role } });
  }

  private adopt(conversation: Conversation): Conversation {
    this.client.adoptConversation(conversation);
    return this.get(conversation.id) ?? conversation;
  }
}
