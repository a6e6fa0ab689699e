/**
 * @hearth/server: the Hearth messaging server. `startServer` runs it in-process (tests, embedding);
 * the `hearth` command (cli.ts) runs it from a shell.
 */
export { startServer, type HearthServer, type StartOptions } from './server.js';
export { loadConfig, ConfigError, type Config, type ConfigInput } from './platform/config.js';
export { createLogger } from './platform/logger.js';
export { systemClock, type Clock } from './platform/clock.js';
