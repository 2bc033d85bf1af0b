/**
 * The README's `npm run dev`: the Vite dev server (vite.config.ts as is, on a free 127.0.0.1 port,
 * with its COOP/COEP headers) serves an app whose engine starts on wasm and computes. The other
 * browser tests run the build (dist/) and never see the dev server's unbundled modules.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newPage, openApp } from './browser';

const root = resolve(import.meta.dirname, '../..');
let browser: Browser;
let vite: ViteDevServer;
let url: string;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  vite = await createServer({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    // Its own pre-bundle cache, so a developer's running `npm run dev` is not disturbed.
    cacheDir: resolve(root, 'node_modules/.vite-e2e-dev'),
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
    logLevel: 'warn',
    clearScreen: false,
  });
  await vite.listen();
  url = `http://127.0.0.1:${port}`;
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

describe('npm run dev', () => {
  it('serves the app cross-origin isolated and the engine starts on wasm', async () => {
    const { context, page, errors } = await newPage(browser);
    const res = await fetch(`${url}/`);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
    // The automatic choice, as a developer on a machine without a GPU gets it.
    const backend = await openApp(page, url, '');
    if (backend !== 'wasm')
      console.log(
        `dev server: engine on ${backend}; page errors: ${JSON.stringify(errors)}; header: ${await page.locator('header').textContent()}`,
      );
    expect(backend).toBe('wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const r = await page.evaluate(() =>
      (
        window as unknown as {
          __simlab: { engine: { selfTest(): Promise<{ backend: string; values: number[] }> } };
        }
      ).__simlab.engine.selfTest(),
    );
    expect(r.backend).toBe('wasm');
    // The engine's self-test, softmax(x·W + b), against the same sums written out here.
    const x = [
      [0.5, -1, 2, 0.25],
      [3, -0.5, 1, 1.5],
    ];
    const w = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2];
    const bias = [0.01, -0.02, 0.03];
    const want = x.flatMap((row) => {
      const z = bias.map((b, j) => b + row.reduce((s, xi, i) => s + xi * w[i * 3 + j], 0));
      const e = z.map(Math.exp);
      return e.map((v) => v / (e[0] + e[1] + e[2]));
    });
    expect(r.values.length).toBe(6);
    r.values.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });
});
