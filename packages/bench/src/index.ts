/** The Hearth benchmark's building blocks; the command-line entry point is `run.ts` (`npm run bench`). */
export { SCENARIOS, type BenchOptions, type ScenarioResult, type Floor } from './scenarios.js';
export { ServerProcess, SERVER_ENV_OVERRIDES, processCpuMs, processRssKb } from './server-process.js';
export { BenchClient, createUsers, createConversation, connectAll } from './clients.js';
export { Tracker } from './tracker.js';
export { Samples } from './stats.js';
export { summarizeProfile, formatSummary } from './profile-summary.js';
