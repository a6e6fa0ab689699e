// @ts-check
/**
 * The import rules of ARCHITECTURE.md ("Packages" and "Server layers"), checked by `npm run layers` (part of
 * `npm test`). Paths are regular expressions over paths relative to the repository root.
 */

const SERVER = '^packages/server/src/';
const FEATURES = `${SERVER}features/`;
const PLATFORM = `${SERVER}platform/`;

/** Where requests and frames come in: REST routes, WebSocket frame handlers, the gateway, the command line. */
const EDGES = [`${FEATURES}[^/]+/[^/]+[.](routes|ws)[.]ts$`, `${FEATURES}realtime/`, `${SERVER}cli[.]ts$`];
const STORES = `${FEATURES}[^/]+/[^/]+[.]store[.]ts$`;
/** Fastify, ws, and the platform's HTTP and WebSocket parts (http.ts, http-errors.ts, static.ts, frames.ts). */
const TRANSPORT = ['^node_modules/(fastify|@fastify/[^/]+|ws)/', `${PLATFORM}(http|static|frames)[^/]*[.]ts$`];

/**
 * The features from the bottom up: each may import those before it, never one after it. A strict order rules
 * out cycles between feature folders, which dependency-cruiser's `circular` (a module-level check) cannot see.
 * A new feature takes its place here.
 */
const FEATURE_RANKING = ['users', 'auth', 'presence', 'conversations', 'files', 'messages', 'link-previews', 'receipts', 'typing', 'sync', 'ops', 'realtime'];

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const ranking = FEATURE_RANKING.slice(0, -1).map((feature, i) => ({
  name: `feature-ranking:${feature}`,
  comment: `features/${feature} sits below ${FEATURE_RANKING.slice(i + 1).join(', ')} (FEATURE_RANKING in .dependency-cruiser.cjs): it may not import them.`,
  severity: 'error',
  from: { path: `${FEATURES}${feature}/` },
  to: { path: `${FEATURES}(${FEATURE_RANKING.slice(i + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: modules form a hierarchy.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file: an import the checker cannot follow would escape every rule.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },

    // Packages
    {
      name: 'protocol-imports-only-zod',
      comment: 'packages/protocol is the shared vocabulary of server and clients: zod schemas and nothing else.',
      severity: 'error',
      from: { path: '^packages/protocol/src/' },
      to: { pathNot: ['^packages/protocol/src/', '^node_modules/zod/'] },
    },
    {
      name: 'client-imports-only-protocol',
      comment: 'The SDK runs in browsers and Node: it depends on the protocol (and zod) only, and on tus-js-client for uploads (loaded on the first one).',
      severity: 'error',
      from: { path: '^packages/client/src/' },
      to: { pathNot: ['^packages/client/src/', '^packages/protocol/src/', '^node_modules/zod/', '^node_modules/tus-js-client/'] },
    },
    {
      name: 'web-not-to-server',
      comment: 'The web app runs in the browser and reaches the server through the SDK only.',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { path: '^packages/(server|bench)/' },
    },
    {
      name: 'web-not-to-node-builtins',
      comment: 'The web app runs in the browser: no Node built-in modules.',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'bench-not-to-server-internals',
      comment: 'The benchmark measures the server from outside: through the protocol, never its internals.',
      severity: 'error',
      from: { path: '^packages/bench/src/' },
      to: { path: '^packages/server/', pathNot: '^packages/server/src/index[.]ts$' },
    },
    {
      name: 'server-not-to-clients',
      comment: 'The server depends on the protocol and libraries, never on the SDK, the apps or the benchmark.',
      severity: 'error',
      from: { path: SERVER },
      to: { path: '^(packages/(client|bench)|apps)/' },
    },

    // Server layers
    {
      name: 'edges-not-to-stores',
      comment: 'Routes, frame handlers, the gateway and the CLI call services; stores and Kysely stay behind them.',
      severity: 'error',
      from: { path: EDGES },
      to: { path: [STORES, '^node_modules/kysely/'] },
    },
    {
      name: 'handlers-not-to-database',
      comment: 'Routes, frame handlers and the gateway never see the database handle or its schema.',
      severity: 'error',
      from: { path: EDGES, pathNot: `${SERVER}cli[.]ts$` },
      to: { path: `${PLATFORM}db/` },
    },
    {
      name: 'stores-import-only-stores',
      comment: 'Stores are the data layer: they build on platform/db and on each other (row types), never on services, views or edges.',
      severity: 'error',
      from: { path: STORES },
      to: { path: FEATURES, pathNot: STORES },
    },
    {
      name: 'app-not-to-edges',
      comment: 'Services, stores and views are called by the edges, never the other way round.',
      severity: 'error',
      from: { path: FEATURES, pathNot: EDGES },
      to: { path: EDGES },
    },
    {
      name: 'app-not-to-transport',
      comment: 'Services, stores and views know nothing of HTTP or WebSocket: the edges map their results and errors.',
      severity: 'error',
      from: { path: FEATURES, pathNot: EDGES },
      to: { path: TRANSPORT },
    },
    {
      name: 'sql-only-in-stores',
      comment: 'Queries are built in stores (and platform/db): elsewhere Kysely is imported for its types only.',
      severity: 'error',
      from: { path: SERVER, pathNot: [STORES, `${PLATFORM}db/`] },
      to: { path: '^node_modules/kysely/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'platform-not-to-features',
      comment: 'platform/ is what every feature stands on; it knows no feature and holds no domain rule.',
      severity: 'error',
      from: { path: PLATFORM },
      to: { path: FEATURES },
    },
    {
      name: 'not-to-composition-root',
      comment: 'server.ts, cli.ts, index.ts and version.ts assemble the server and pass values in; nothing inside imports them.',
      severity: 'error',
      from: { path: [FEATURES, PLATFORM] },
      to: { path: `${SERVER}[^/]+[.]ts$` },
    },
    ...ranking,
    {
      name: 'feature-ranking:unranked',
      comment: 'Every feature folder has its place in FEATURE_RANKING (.dependency-cruiser.cjs).',
      severity: 'error',
      from: {},
      to: { path: `${FEATURES}(?!(${FEATURE_RANKING.join('|')})/)` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(packages|apps)/[^/]+/dist/' },
    // Type-only imports count: a cycle or a wrong-way dependency through types couples modules all the same.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // Workspace packages resolve to their TypeScript sources, as in the tests.
      conditionNames: ['source', 'import', 'require', 'node', 'default', 'types'],
    },
  },
};
