/** Starts the built app (building it when dist/ is missing) and Chromium for browser benchmarks. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch } from '../tests/e2e/browser';
import { serveDir, type Served } from '../tests/e2e/server';

export async function startApp(): Promise<{
  /** The build folder served. */
  dist: string;
  served: Served;
  browser: Browser;
  close(): Promise<void>;
}> {
  const root = resolve(import.meta.dirname, '..');
  // SIMLAB_DIST: benchmark another build folder (as the browser tests do).
  const dist = process.env.SIMLAB_DIST ? resolve(process.env.SIMLAB_DIST) : resolve(root, 'dist');
  if (!existsSync(resolve(dist, 'index.html'))) {
    const r = spawnSync('npx', ['vite', 'build', '--outDir', dist], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  const served = await serveDir(dist, { isolation: true, spa: true });
  const browser = await launch();
  return {
    dist,
    served,
    browser,
    close: async () => {
      await browser.close();
      await served.close();
    },
  };
}
