/**
 * simlab's layer rule, written down once (checked by `npm run lint:layers`, part of `npm test`):
 *
 *   ui  →  state  →  worker/api.ts (+ worker/client.ts, worker/explorer-client.ts)  →  worker internals  →  ml
 *                                                                         ↘ storage ↗
 *
 * - The page (src/ui, src/state, src/App.svelte, src/main.ts) imports of the worker only
 *   src/worker/api.ts: the typed interface, which also re-exports the tfjs-free helpers in
 *   src/common. src/state may also import the two comlink clients (worker/client.ts,
 *   worker/explorer-client.ts); src/ui may not (it gets engines through state).
 * - src/state never imports src/ui.
 * - src/storage sits below the worker: the worker imports it, it imports no worker, state or ui
 *   module. Only src/storage imports idb-keyval.
 * - src/common is tfjs-free code both sides use (types, run lists, CSV, comparison helpers); it
 *   imports no ui, state or worker module.
 * - src/ml is the leaf: no ui, state, worker, storage or common module, no svelte, comlink or
 *   idb-keyval.
 * - Nothing reachable from the page, src/common, src/storage, worker/api.ts or the two clients
 *   imports @tensorflow/* — type-only imports included (tsPreCompilationDeps), so the page bundle
 *   never carries tfjs and the page's types never depend on it.
 * - No import cycles.
 * - Test helpers are named *.testing.ts (beside the code they help test) and only tests import them.
 * Tests (*.test.ts, *.testing.ts) beside the code follow the rules for tfjs and idb-keyval only
 * where their folder does (a storage test may use fake-indexeddb); tests/ and bench/ are not cruised.
 */
const page = '^src/(ui/|state/|App[.]svelte$|main[.]ts$)';
const clients = '^src/worker/(client|explorer-client)[.]ts$';
const api = '^src/worker/api[.]ts$';
const tfjsFree = [page, '^src/common/', '^src/storage/', api, clients];
const testFiles = '[.](test|testing)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'testing-only-in-tests',
      comment: 'Test helpers (*.testing.ts) are imported by tests and other test helpers only.',
      severity: 'error',
      from: { pathNot: testFiles },
      to: { path: '[.]testing[.]ts$' },
    },
    {
      name: 'no-tfjs-above-worker',
      comment:
        'The page, src/common, src/storage, worker/api.ts and the clients must not reach @tensorflow/* (not even through import type).',
      severity: 'error',
      from: { path: tfjsFree, pathNot: testFiles },
      to: { path: 'node_modules/@tensorflow/', reachable: true },
    },
    {
      name: 'page-imports-only-api',
      comment:
        'The page reaches the worker through worker/api.ts only (state also through the two comlink clients); no ml, storage or common module directly.',
      severity: 'error',
      from: { path: page, pathNot: testFiles },
      to: { path: '^src/(worker|ml|storage|common)/', pathNot: [api, clients] },
    },
    {
      name: 'ui-not-clients',
      comment: 'ui gets engines through state; it does not create or call the comlink clients.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: clients },
    },
    {
      name: 'state-not-ui',
      comment: 'state is below ui.',
      severity: 'error',
      from: { path: '^src/state/' },
      to: { path: '^src/(ui/|App[.]svelte$|main[.]ts$)' },
    },
    {
      name: 'storage-below-worker',
      comment: 'storage imports no worker, state or ui module (the worker imports storage).',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/(worker|state|ui)/|^src/(App[.]svelte|main[.]ts)$' },
    },
    {
      name: 'only-storage-idb',
      comment: 'Only src/storage opens IndexedDB stores (idb-keyval).',
      severity: 'error',
      from: { pathNot: ['^src/storage/', testFiles] },
      to: { path: 'node_modules/idb-keyval/' },
    },
    {
      name: 'common-is-shared',
      comment: 'src/common is below the page and the worker: it imports none of them.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/(worker|state|ui)/|^src/(App[.]svelte|main[.]ts)$' },
    },
    {
      name: 'ml-is-leaf',
      comment: 'src/ml runs in the worker and in Node: no app layer, no DOM framework, no storage.',
      severity: 'error',
      from: { path: '^src/ml/' },
      to: {
        path: [
          '^src/(ui|state|worker|storage|common)/',
          '^src/(App[.]svelte|main[.]ts)$',
          'node_modules/(svelte|comlink|idb-keyval)/',
        ],
      },
    },
    {
      name: 'no-circular',
      comment: 'Modules import one way; a cycle means a layer or a file holds two ideas.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    doNotFollow: { path: 'node_modules' },
  },
};
