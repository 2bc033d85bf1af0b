/** Starts the built app (building it when dist/ is missing) and Chromium for browser benchmarks. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch } from '../tests/e2e/browser';
import { serveDir, type Served } from '../tests/e2e/server';

export async function startApp(): Promise<{ served: Served; browser: Browser; close(): Promise<void> }> {
  const root = resolve(import.meta.dirname, '..');
  if (!existsSync(resolve(root, 'dist/index.html'))) {
    const r = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  const served = await serveDir(resolve(root, 'dist'), { isolation: true, spa: true });
  const browser = await launch();
  return {
    served,
    browser,
    close: async () => {
      await browser.close();
      await served.close();
    },
  };
}
