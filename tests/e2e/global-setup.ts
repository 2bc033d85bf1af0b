/**
 * Serves the built app (run `npm run build` first; `npm test` does) for the browser tests.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { serveDir, type Served } from './server';

let served: Served | null = null;

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  // SIMLAB_DIST: serve another build folder (parallel work: `npx vite build --outDir /tmp/x`).
  const dist = process.env.SIMLAB_DIST
    ? resolve(process.env.SIMLAB_DIST)
    : resolve(import.meta.dirname, '../../dist');
  if (!existsSync(resolve(dist, 'index.html'))) {
    throw new Error(
      'dist/ is missing: run `npm run build` before the browser tests (npm test does it)',
    );
  }
  served = await serveDir(dist, { isolation: true, spa: true });
  project.provide('appUrl', served.url);
}

export async function teardown(): Promise<void> {
  await served?.close();
}
