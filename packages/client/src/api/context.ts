import type { HearthClient } from '../client.js';

/**
 * The API namespaces reach the client through this one type, to keep the dependency visible.
 * @example constructor(private readonly client: ClientContext) {}
 */
export type ClientContext = HearthClient;
