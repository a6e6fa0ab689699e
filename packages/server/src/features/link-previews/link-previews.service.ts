import { createHash } from 'node:crypto';
import type { Message } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { reduceImage } from '../../platform/reduce-image.js';
import { FetchRefused, safeFetch, type SafeFetchOptions } from '../../platform/safe-fetch.js';
import { canModerate, requireMember, requireReader } from '../conversations/access.js';
import { appendEvent } from '../conversations/event-log.js';
import * as positions from '../conversations/positions.store.js';
import type { WriteQueue } from '../../platform/write-queue.js';
import { firstLink } from '../messages/links.js';
import { requireMessage, requireUserMessage } from '../messages/messages.service.js';
import * as messages from '../messages/messages.store.js';
import { loadMessages, parseContent, parseLinkPreview, toLinkPreview, type StoredLinkPreview } from '../messages/messages.views.js';
import * as store from './link-previews.store.js';
import { decodeHtml, extractMetadata } from './page-metadata.js';

export interface LinkPreviewOptions {
  enabled: boolean;
  /** Hosts exempt from the address checks: tests and intranets only (see `platform/safe-fetch.ts`). */
  allowHosts: string[];
  /** Ports links may name (any, for allowed hosts). */
  ports: number[];
  timeoutMs: number;
  maxHtmlBytes: number;
  maxImageBytes: number;
  maxRedirects: number;
  /**
   * Pages (and their images) read at once by this node. Name resolution takes a thread of libuv's pool (4 threads by
   * default, shared with file and crypto work) for as long as a slow DNS server makes it wait, whatever our deadline:
   * the default of 2 leaves the rest of the pool to the server.
   */
  concurrency: number;
  cacheTtlMs: number;
  failureTtlMs: number;
}

/** Largest side of a preview image, in pixels. */
const IMAGE_SIDE = 600;
/** Reads waiting for a turn beyond this are dropped (no preview) rather than queued without end. */
const MAX_WAITING = 1000;
const USER_AGENT = 'HearthLinkPreview/1 (+https://github.com/hearth; a chat server showing what a link points at)';

type Preview = Omit<StoredLinkPreview, 'url'>;

/**
 * Link previews: after a message with a link is stored (or edited to another link), reads the page of its first link
 * (`safeFetch`: public addresses only, capped in time and size), keeps what it found per URL for a while, and
 * attaches it to the message with a `message.previewed` event in the conversation's stream. Never on the send's path:
 * `messageWritten` only schedules. One read per URL at a time on this node (later messages wait for it), at most
 * `concurrency` reads at once; the cache table is shared by every node, and the node that stored a message reads its
 * link.
 */
export class LinkPreviewsService {
  private readonly inFlight = new Map<string, Promise<Preview | null>>();
  private readonly waiting: Array<(go: boolean) => void> = [];
  private readonly pending = new Set<Promise<void>>();
  private active = 0;
  private closed = false;
  private readonly stop = new AbortController();
  private readonly page: SafeFetchOptions;
  private readonly image: SafeFetchOptions;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly writer: WriteQueue,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly options: LinkPreviewOptions,
  ) {
    const common = {
      allowHosts: new Set(options.allowHosts.map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'))),
      ports: new Set(options.ports),
      timeoutMs: options.timeoutMs,
      maxRedirects: options.maxRedirects,
      userAgent: USER_AGENT,
      signal: this.stop.signal,
    };
    this.page = { ...common, maxBytes: options.maxHtmlBytes, accept: 'text/html,application/xhtml+xml;q=0.9', accepts: (t) => t === 'text/html' || t === 'application/xhtml+xml' };
    this.image = { ...common, maxBytes: options.maxImageBytes, accept: 'image/webp,image/avif,image/png,image/jpeg,image/gif;q=0.9', accepts: (t) => /^image\/(jpeg|png|webp|gif|avif)$/.test(t) };
  }

  /** `MessageWritten` for the messages feature: schedules the preview of the message's first link, if any. */
  messageWritten(message: Message): void {
    if (!this.options.enabled || this.closed) return;
    const url = firstLink(message.content);
    if (url === undefined || message.linkPreview?.url === url) return;
    const work = this.preview(message.id, url).catch((err: unknown) => this.log.warn({ err, messageId: message.id }, 'link preview failed'));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once no preview is being made (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops making previews; resolves once those under way have settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    for (const wake of this.waiting.splice(0)) wake(false);
    await this.idle();
  }

  /** The image of a message's preview, for a reader of the message; FILE_NOT_FOUND when it has none. */
  async imageOf(actor: Actor, conversationId: string, messageId: string): Promise<Buffer> {
    const { upToSeq } = await requireReader(this.db, conversationId, actor.userId);
    const row = await requireMessage(this.db, conversationId, messageId);
    if (Number(row.seq) > upToSeq) throw new HearthError('MESSAGE_NOT_FOUND', { messageId });
    const imageId = parseLinkPreview(row.link_preview)?.image?.id;
    const image = imageId === undefined ? undefined : await store.findImage(this.db, imageId);
    if (!image) throw new HearthError('FILE_NOT_FOUND', { messageId }, 'This message has no preview image.');
    return Buffer.from(image.data, 'base64');
  }

  /**
   * Removes the preview of a message, for good while it keeps that link: its author may, and moderators of groups and
   * channels (as for edits). Members get `message.previewed` with null; removing again (or where there is none yet)
   * changes nothing visible, and a read under way finds the preview removed and attaches nothing.
   */
  async removePreview(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    return this.writer.run(async (ctx) => {
      const access = await requireMember(ctx.trx, conversationId, actor.userId);
      const row = await requireMessage(ctx.trx, conversationId, messageId);
      requireUserMessage(row);
      if (row.sender_id !== actor.userId && !canModerate(access)) throw new HearthError('PERMISSION_DENIED', { messageId });
      if (row.deleted_at !== null) throw new HearthError('MESSAGE_DELETED', { messageId });
      const url = firstLink(parseContent(row.content));
      const stored = parseLinkPreview(row.link_preview);
      if (url !== undefined && !stored?.removed) {
        const removed: StoredLinkPreview = { url, title: null, description: null, siteName: null, image: null, removed: true };
        row.link_preview = JSON.stringify(removed);
        await messages.update(ctx.trx, messageId, { link_preview: row.link_preview });
        if (stored !== null) {
          const pts = await positions.allocate(ctx.trx, conversationId, 1);
          await appendEvent(ctx, { type: 'message.previewed', conversationId, pts, messageId, seq: Number(row.seq), linkPreview: null });
        }
      }
      const [message] = await loadMessages(ctx.trx, [row]);
      return message!;
    });
  }

  private async preview(messageId: string, url: string): Promise<void> {
    // Already previewed for this link, or its preview was removed: nothing to read.
    if (parseLinkPreview((await messages.findById(this.db, messageId))?.link_preview ?? null)?.url === url) return;
    const found = await this.lookup(url);
    if (found === null || this.closed) return;
    await this.writer.run(async (ctx) => {
      const row = await messages.findById(ctx.trx, messageId);
      // Deleted, or edited to another link, while the page was read: nothing to attach (the edit has its own read).
      if (!row || row.deleted_at !== null || firstLink(parseContent(row.content)) !== url) return;
      if (parseLinkPreview(row.link_preview)?.url === url) return;
      const stored: StoredLinkPreview = { url, ...found };
      await messages.update(ctx.trx, messageId, { link_preview: JSON.stringify(stored) });
      const pts = await positions.allocate(ctx.trx, row.conversation_id, 1);
      const linkPreview = toLinkPreview(row.conversation_id, messageId, stored);
      await appendEvent(ctx, { type: 'message.previewed', conversationId: row.conversation_id, pts, messageId, seq: Number(row.seq), linkPreview });
    });
  }

  /** What the page of `url` gives: from the cache while fresh, else read (once at a time per URL) and cached. */
  private async lookup(url: string): Promise<Preview | null> {
    const key = createHash('sha256').update(url).digest('hex');
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const cached = await store.findCached(this.db, key);
    if (cached && Number(cached.expires_at) > this.clock.now()) return cached.preview === null ? null : (JSON.parse(cached.preview) as Preview);
    let read = this.inFlight.get(key);
    if (read === undefined) {
      read = this.read(url, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, read);
    }
    return read;
  }

  private async read(url: string, key: string): Promise<Preview | null> {
    if (!(await this.turn())) return null;
    let preview: Preview | null = null;
    let failure: string | null = null;
    try {
      preview = await this.readPage(url);
      if (preview === null) failure = 'empty';
    } catch (err) {
      failure = err instanceof FetchRefused ? err.reason : 'error';
      if (!(err instanceof FetchRefused)) this.log.warn({ err }, 'link preview: reading a page failed');
    } finally {
      this.release();
    }
    if (this.closed) return null;
    this.metrics.linkPreviewReads.inc({ outcome: failure ?? 'ok' });
    const now = this.clock.now();
    await store.putCached(this.db, {
      url_hash: key,
      url,
      preview: preview === null ? null : JSON.stringify(preview),
      failure,
      fetched_at: now,
      expires_at: now + (preview === null ? this.options.failureTtlMs : this.options.cacheTtlMs),
    });
    return preview;
  }

  private async readPage(url: string): Promise<Preview | null> {
    const page = await safeFetch(url, this.page);
    const metadata = extractMetadata(decodeHtml(page.body, page.charset), page.url);
    if (metadata === undefined) return null;
    const { imageUrl, ...texts } = metadata;
    return { ...texts, image: imageUrl === null ? null : await this.readImage(imageUrl) };
  }

  /** The page's image, reduced and stored; null when it cannot be read (the preview goes without it). */
  private async readImage(url: string): Promise<Preview['image']> {
    try {
      const fetched = await safeFetch(url, this.image);
      const reduced = await reduceImage(fetched.body, IMAGE_SIDE);
      const id = newId();
      await store.insertImage(this.db, { id, width: reduced.width, height: reduced.height, data: reduced.data.toString('base64'), created_at: this.clock.now() });
      return { id, width: reduced.width, height: reduced.height };
    } catch (err) {
      this.log.debug({ err }, 'link preview: no image');
      return null;
    }
  }

  /** Waits for one of the `concurrency` slots; false when too many wait already or the service closed. */
  private async turn(): Promise<boolean> {
    if (this.closed) return false;
    if (this.active < this.options.concurrency) {
      this.active++;
      return true;
    }
    if (this.waiting.length >= MAX_WAITING) return false;
    return new Promise<boolean>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiting read, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.active--;
  }
}
