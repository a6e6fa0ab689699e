import type { ServerInfo } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import { ping } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';
import * as users from '../users/users.store.js';

/** What load balancers, operators and the web app's first-run screen ask of the server. */
export class OpsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly version: string,
    private readonly files: ServerInfo['files'],
  ) {}

  /** How long the database took to answer a trivial query, in milliseconds; undefined when it did not answer. */
  async databaseLatencyMs(): Promise<number | undefined> {
    const started = performance.now();
    try {
      await ping(this.db);
    } catch {
      return undefined;
    }
    return Math.round((performance.now() - started) * 100) / 100;
  }

  /**
   * The server's name and version, whether it still needs its first account (the web app's setup screen), and what
   * files it accepts.
   */
  async serverInfo(): Promise<ServerInfo> {
    return { name: 'hearth', version: this.version, needsSetup: (await users.count(this.db)) === 0, files: this.files };
  }
}
