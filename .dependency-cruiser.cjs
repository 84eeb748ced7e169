/**
 * Layer rules of gitops-cmdb (docs/architecture.md, "Layers"), checked in
 * `npm test` by tests/layers.test.ts. Top folders, bottom to top: each may
 * import only the folders below it; bench/, tests/, examples/ and scripts/
 * may import anything, and nothing imports them.
 */
/** Bottom to top. */
const LAYERS = ['core', 'schema', 'catalog', 'graph', 'policies', 'state', 'controller', 'reconcilers', 'incidents', 'graph-api', 'server', 'cli'];

/**
 * The web UI (web/, bundled for the browser by bin/build-web.js): a leaf that
 * imports no other top folder (it talks to the server over HTTP, GraphQL only),
 * and that nothing imports (the server serves its build from dist/web).
 */
const WEB = 'web';

/** Folders outside the layers: they may import anything, nothing imports them. */
const OUTSIDE = ['bench', 'tests', 'examples', 'scripts'];

const folders = (list) => `^(${list.join('|')})/`;

/** One rule per layer: it imports nothing above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'nothing internal'} (the layers below it)`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: folders(LAYERS.slice(i + 1)) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'web-is-a-leaf',
      comment: `${WEB}/ imports nothing from the other top folders: it talks to the server over HTTP (GraphQL) only`,
      severity: 'error',
      from: { path: `^${WEB}/` },
      to: { path: '^[^/]+/', pathNot: `^(${WEB}|node_modules)/` },
    },
    {
      name: 'no-import-of-web',
      comment: `nothing imports ${WEB}/: the server serves its build (dist/web), the browser runs it`,
      severity: 'error',
      from: { pathNot: `^${WEB}/` },
      to: { path: `^${WEB}/` },
    },
    {
      name: 'no-cycle-between-top-folders',
      comment: 'a cycle of imports that leaves its top folder: two top folders depend on each other',
      severity: 'error',
      from: { path: '^([^/]+)/' },
      to: { circular: true, via: { pathNot: '^$1/' } },
    },
    {
      // Needs the catalog rewrite (graph/ reading snapshots through catalog's table modules today).
      name: 'graph-reads-catalog-contract-only',
      comment: 'graph/ imports of catalog/ are limited to its contract: catalog/types.ts, catalog/relations.ts, catalog/refs.ts',
      severity: 'error',
      from: { path: '^graph/' },
      to: { path: '^catalog/', pathNot: '^catalog/(types|relations|refs)\\.ts$' },
    },
    {
      name: 'no-import-of-outside-folders',
      comment: `${OUTSIDE.join('/, ')}/ may import anything; nothing in the layers imports them`,
      severity: 'error',
      from: { path: folders(LAYERS) },
      to: { path: folders(OUTSIDE) },
    },
    {
      name: 'no-import-of-tests',
      comment: 'no file imports a test file',
      severity: 'error',
      from: {},
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.[^/]+)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
