import type { ServerEvent } from '@hearth/protocol';
import type { Transaction } from 'kysely';
import type { Bus, DeliveryHints } from './bus.js';
import type { Clock } from './clock.js';
import { nextChange } from './db/change-counter.js';
import type { Database } from './db/database.js';
import type { DB } from './db/schema.js';
import { HearthError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** What a write job sees: the open transaction, the time of the batch, and helpers whose effects commit with it. */
export interface WriteContext {
  readonly trx: Transaction<DB>;
  /** One timestamp for the whole batch. */
  readonly now: number;
  /** Publishes the event once, and only if, the transaction commits. */
  publish(topic: string, event: ServerEvent, hints?: DeliveryHints): void;
  /** Runs after commit (and after the events are published); for effects outside the database. */
  afterCommit(fn: () => void): void;
  /**
   * Runs `stamp` just before commit, after every job of the batch, with the batch's change number (sync's cursor,
   * `platform/db/change-counter.ts`), taken once per batch and only if some job asked. `stamp` may only update
   * rows this transaction already wrote (so that no lock is waited for while the counter is held). Dropped with
   * its job if the job fails.
   */
  stampChange(stamp: (trx: Transaction<DB>, change: number) => Promise<void>): void;
}

/**
 * A job that can run many requests in one go (a batch of message sends). It returns one outcome per item, in
 * order: a result, or a HearthError for that item alone.
 */
export type BatchHandler<I, O> = (ctx: WriteContext, items: I[]) => Promise<Array<O | HearthError>>;

interface Job {
  handler: BatchHandler<unknown, unknown>;
  item: unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Pending {
  events: Array<{ topic: string; event: ServerEvent; hints: DeliveryHints | undefined }>;
  after: Array<() => void>;
  stamps: Array<(trx: Transaction<DB>, change: number) => Promise<void>>;
}

const MAX_BATCH = 512;
const MAX_ATTEMPTS = 3;

/**
 * Funnels every write that touches a conversation's event stream through batched transactions: all requests
 * that arrive while one batch commits go into the next one. One commit (one fsync, one round of lock traffic)
 * then serves many messages, and each message is stored before it is acknowledged. Batches run one at a time,
 * so events leave this node in the order their positions were taken.
 */
export class WriteQueue {
  private queue: Job[] = [];
  private flushing = false;
  private scheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly database: Database,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` in the next batch's transaction; resolves after commit with its result. */
  run<T>(fn: (ctx: WriteContext) => Promise<T>): Promise<T> {
    // A handler of its own, so the job never shares a savepoint: its error rolls back only its own writes.
    const single: BatchHandler<null, T> = async (ctx) => [await fn(ctx)];
    return this.submit(single, null);
  }

  /** Queues one item for a batch handler; consecutive items of the same handler share one call. */
  submit<I, O>(handler: BatchHandler<I, O>, item: I): Promise<O> {
    if (this.closed) return Promise.reject(new HearthError('SERVER_SHUTTING_DOWN'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ handler: handler as BatchHandler<unknown, unknown>, item, resolve: resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking jobs and resolves once everything queued has committed. */
  async drain(): Promise<void> {
    this.closed = true;
    if (!this.flushing && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate, not a microtask: lets every frame already read from the sockets join this batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.runBatch(batch);
      }
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.attempt(batch);
        this.metrics.dbBatchSeconds.observe((performance.now() - started) / 1000);
        this.metrics.dbBatchSize.observe(batch.length);
        this.deliver(outcome.pending);
        batch.forEach((job, i) => {
          const result = outcome.results[i];
          if (result instanceof HearthError) job.reject(result);
          else job.resolve(result);
        });
        return;
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && this.database.capabilities.isRetryable(err)) {
          this.log.warn({ err, attempt }, 'write batch lost a race; retrying');
          continue;
        }
        this.log.error({ err, jobs: batch.length }, 'write batch failed');
        const failure = new HearthError('INTERNAL_ERROR', {}, undefined, { cause: err });
        for (const job of batch) job.reject(failure);
        return;
      }
    }
  }

  private async attempt(batch: Job[]): Promise<{ results: unknown[]; pending: Pending }> {
    const now = this.clock.now();
    const groups: Array<[start: number, end: number]> = [];
    for (let start = 0; start < batch.length; ) {
      let end = start + 1;
      while (end < batch.length && batch[end]!.handler === batch[start]!.handler) end++;
      groups.push([start, end]);
      start = end;
    }
    // A lone group needs no savepoint: if it fails, the whole transaction rolls back, which is the same thing.
    const isolate = groups.length > 1;
    const trx = await this.database.db.startTransaction().execute();
    const committed: Pending = { events: [], after: [], stamps: [] };
    const results: unknown[] = new Array(batch.length);
    try {
      for (const [index, [start, end]] of groups.entries()) {
        const handler = batch[start]!.handler;
        const name = `sp${index}`;
        const pending: Pending = { events: [], after: [], stamps: [] };
        const savepoint = isolate ? await trx.savepoint(name).execute() : undefined;
        try {
          const out = await handler(this.context(savepoint ?? trx, now, pending), batch.slice(start, end).map((j) => j.item));
          await savepoint?.releaseSavepoint(name).execute();
          out.forEach((r, i) => (results[start + i] = r));
          committed.events.push(...pending.events);
          committed.after.push(...pending.after);
          committed.stamps.push(...pending.stamps);
        } catch (err) {
          if (this.database.capabilities.isRetryable(err)) throw err;
          const failure = err instanceof HearthError ? err : new HearthError('INTERNAL_ERROR', {}, undefined, { cause: err });
          if (!(err instanceof HearthError)) this.log.error({ err }, 'write job failed');
          for (let i = start; i < end; i++) results[i] = failure;
          if (!savepoint) {
            await trx.rollback().execute();
            return { results, pending: { events: [], after: [], stamps: [] } };
          }
          await savepoint.rollbackToSavepoint(name).execute();
        }
      }
      // Last, so that the counter's lock is held for no more than the stamps and the commit.
      if (committed.stamps.length > 0) {
        const change = await nextChange(trx);
        for (const stamp of committed.stamps) await stamp(trx, change);
      }
      await trx.commit().execute();
    } catch (err) {
      await trx.rollback().execute().catch(() => undefined);
      throw err;
    }
    return { results, pending: committed };
  }

  private context(trx: Transaction<DB>, now: number, pending: Pending): WriteContext {
    return {
      trx,
      now,
      publish: (topic, event, hints) => pending.events.push({ topic, event, hints }),
      afterCommit: (fn) => pending.after.push(fn),
      stampChange: (stamp) => pending.stamps.push(stamp),
    };
  }

  private deliver(pending: Pending): void {
    for (const { topic, event, hints } of pending.events) this.bus.publish(topic, event, hints);
    for (const fn of pending.after) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, 'after-commit hook failed');
      }
    }
  }
}

