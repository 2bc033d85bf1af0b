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

export default defineConfig({
  plugins: [svelte()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 6000 },
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
          include: ['src/**/*.test.ts'],
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
