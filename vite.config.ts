import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * COOP/COEP make the page cross-origin isolated, which threaded wasm (SharedArrayBuffer) needs.
 * `credentialless` (not `require-corp`) keeps user-requested downloads of remote datasets working.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

/**
 * plotly's trace registry imports maplibre's stylesheet for map traces, which a bundler pulls in
 * whether or not a map trace is registered; simlab draws no maps (src/ui/plots/plotly-bundle.ts),
 * so that import resolves to an empty module instead of an 83 kB stylesheet.
 */
const maplibreCss = 'maplibre-gl/dist/maplibre-gl.css';
const emptyModule = '\0simlab:empty-module';
const skipMaplibreCss: Plugin = {
  name: 'simlab:skip-maplibre-css',
  enforce: 'pre',
  resolveId: (id) => (id === maplibreCss ? emptyModule : undefined),
  load: (id) => (id === emptyModule ? 'export {};' : undefined),
};

/**
 * plotly's CommonJS dependencies (has-hover, …) read Browserify's `global`, which plotly's own
 * bundles define as the window. In the build this is the page's bundle only (the worker bundles
 * have their own options); in dev it covers all pre-bundled deps, where in the worker `globalThis`
 * is `self`, the object tfjs's own global lookup ends on anyway.
 */
const pageDefine = { global: 'globalThis' };

export default defineConfig({
  plugins: [svelte(), skipMaplibreCss],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
  // tfjs-backend-wasm is pre-bundled like the rest: its helper-thread module is CommonJS, and served
  // unconverted the dev server's wasm backend failed to start ("does not provide an export named
  // 'wasmWorkerContents'"). The build is not affected by this block.
  // The scan starts from the workers too (the page reaches them through `new URL(…)`, which the
  // scanner does not follow): otherwise a fresh `npm run dev` discovers tfjs's backends only when
  // the engine worker imports them, re-optimises, and the worker's half-loaded imports fail ("504
  // Outdated Optimize Dep"), leaving the engine on the cpu backend.
  optimizeDeps: {
    entries: ['index.html', 'src/**/*.worker.ts'],
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
      'comlink',
      'idb-keyval',
      'fflate',
      'zod',
    ],
    rolldownOptions: { transform: { define: pageDefine } },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    rolldownOptions: { transform: { define: pageDefine } },
  },
  worker: {
    format: 'es',
    // Vite's default minifier mangles names that threaded wasm's helper threads look up by name.
    rolldownOptions: { output: { minify: { mangle: false, compress: false } } },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tests/layers/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
