/**
 * The fused batch-norm-act op's WGSL kernels (src/ml/kernels/webgpu/batch-norm-act.ts) against the
 * cpu backend's loops in the same page, on SwiftShader WebGPU: forward outputs and the gradients
 * w.r.t. x, gamma, beta within 1e-4 + 1e-3·|cpu|. Tiny shapes, chosen to hit several row groups,
 * an uneven last group and more than one 64-channel tile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newPage } from './browser';
import { serveDir, type Served } from './server';
import type { BnCase, BnCaseResult } from './batch-norm-webgpu.page';

const CASES: BnCase[] = [
  { shape: [2, 5, 5, 3], relu: true, offset: 0 },
  { shape: [3, 4, 4, 8], relu: false, offset: 2 },
  { shape: [50, 6], relu: true, offset: -1 },
  { shape: [2, 9, 9, 70], relu: true, offset: 0.5 },
];

let dir: string;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simlab-bn-webgpu-'));
  await build({
    entryPoints: [resolve(import.meta.dirname, 'batch-norm-webgpu.page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(dir, 'page.js'),
    logLevel: 'error',
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><link rel="icon" href="data:,"><script type="module" src="page.js"></script>',
  );
  served = await serveDir(dir);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fused batch norm + ReLU on webgpu (SwiftShader)', () => {
  it('equals the cpu backend: outputs and gradients within 1e-4 + 1e-3·|ref|; tensor count flat', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${served.url}/index.html`);
    await page.waitForFunction(() => 'bnCheck' in globalThis, null, { timeout: 60_000 });
    const run = (backend: string) =>
      page.evaluate(
        ([b, cases]) =>
          (
            globalThis as unknown as {
              bnCheck(
                b: string,
                c: BnCase[],
              ): Promise<{
                backend: string;
                fused: boolean;
                tensorDrift: number;
                results: BnCaseResult[];
              }>;
            }
          ).bnCheck(b, cases),
        [backend, CASES] as const,
      );
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    expect(gpu.backend).toBe('webgpu');
    expect(cpu.backend).toBe('cpu');
    expect(gpu.fused && cpu.fused).toBe(true);
    expect(gpu.tensorDrift).toBe(0);
    const keys = ['y', 'mean', 'variance', 'invstd', 'dx', 'dgamma', 'dbeta'] as const;
    CASES.forEach((c, i) => {
      for (const k of keys) {
        const a = gpu.results[i][k];
        const b = cpu.results[i][k];
        expect(a.length, `[${c.shape}] ${k}`).toBe(b.length);
        let worst = 0;
        for (let j = 0; j < b.length; j++)
          worst = Math.max(worst, Math.abs(a[j] - b[j]) - 1e-3 * Math.abs(b[j]));
        expect(
          worst,
          `[${c.shape}] relu=${c.relu} ${k}: excess over 1e-3·|ref|`,
        ).toBeLessThanOrEqual(1e-4);
      }
      expect(cpu.results[i].dx.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
