/**
 * simlab's WebGPU training kernels (src/ml/kernels/webgpu/) against tfjs' cpu backend on
 * SwiftShader WebGPU: each backprop kernel over strides 1/2, kernels 1/3/7, odd and round channel
 * counts, batch 1 and 5, same/valid/explicit pads, split-K on and off. The harness is bundled from
 * src/ml/kernels/webgpu/harness.testing.ts with esbuild and served on its own origin.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CaseResult,
  KernelCase,
  KernelHarness,
  OptimizerConfig,
} from '../../src/ml/kernels/webgpu/harness.testing';
import { launch, newPage } from './browser';
import { serveDir, type Served } from './server';

let browser: Browser;
let served: Served;
let dir: string;
let page: Page;
let errors: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simlab-webgpu-kernels-'));
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../src/ml/kernels/webgpu/harness.testing.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(dir, 'harness.js'),
    logLevel: 'error',
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="harness.js"></script>',
  );
  served = await serveDir(dir);
  browser = await launch();
  ({ page, errors } = await newPage(browser));
  await page.goto(`${served.url}/index.html`);
  await page.waitForFunction(() => 'simlabKernels' in globalThis);
  const r = await page.evaluate(() =>
    (globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels.init(),
  );
  expect(r).toEqual({ backend: 'webgpu', registered: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function compare(cases: KernelCase[]): Promise<CaseResult[]> {
  return page.evaluate(
    (c) => (globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels.compare(c),
    cases,
  );
}

function expectAllClose(results: CaseResult[]): void {
  const worst = Math.max(...results.map((r) => r.worst));
  const maxAbs = Math.max(...results.map((r) => r.maxAbs));
  console.log(
    `${results.length} cases: worst ${worst.toExponential(2)} of the bound, max |Δ| ${maxAbs.toExponential(2)}`,
  );
  const bad = results.filter((r) => !(r.worst <= 1));
  expect(
    bad,
    bad.map((r) => `${r.name}: worst ${r.worst} (max |Δ| ${r.maxAbs})`).join('\n'),
  ).toEqual([]);
  expect(errors).toEqual([]);
}

const explicit = (t: number, b: number, l: number, r: number): KernelCase['pad'] => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

describe('webgpu training kernels equal the cpu backend', () => {
  it('Conv2DBackpropFilter (split-K implicit GEMM)', async () => {
    const cases: KernelCase[] = [
      { op: 'filter', x: [1, 6, 6, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
      { op: 'filter', x: [5, 7, 7, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same', splits: 1 },
      { op: 'filter', x: [5, 7, 7, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same', splits: 3 },
      {
        op: 'filter',
        x: [2, 9, 9, 16],
        filter: [3, 3, 16, 64],
        strides: 2,
        pad: explicit(1, 1, 1, 1),
      },
      {
        op: 'filter',
        x: [2, 8, 8, 16],
        filter: [1, 1, 16, 64],
        strides: 2,
        pad: 'valid',
        splits: 2,
      },
      {
        op: 'filter',
        x: [1, 13, 13, 3],
        filter: [7, 7, 3, 16],
        strides: 2,
        pad: explicit(3, 3, 3, 3),
      },
      { op: 'filter', x: [5, 5, 5, 5], filter: [3, 3, 5, 7], strides: 1, pad: 'valid', splits: 5 },
      {
        op: 'filter',
        x: [1, 4, 4, 64],
        filter: [3, 3, 64, 33],
        strides: 1,
        pad: 'same',
        splits: 1,
      },
      { op: 'filter', x: [2, 6, 6, 17], filter: [1, 1, 17, 16], strides: 1, pad: 'valid' },
      // K = 320 rows: the planned split count (5) rather than a forced one.
      { op: 'filter', x: [5, 8, 8, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
    ];
    expectAllClose(await compare(cases));
  });

  it('Conv2DBackpropInput (stride-phase direct kernel; stride-1 wide layers delegated to stock)', async () => {
    const cases: KernelCase[] = [
      { op: 'input', x: [1, 6, 6, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
      { op: 'input', x: [5, 7, 7, 16], filter: [3, 3, 16, 16], strides: 2, pad: 'same' },
      {
        op: 'input',
        x: [2, 9, 9, 16],
        filter: [3, 3, 16, 64],
        strides: 2,
        pad: explicit(1, 1, 1, 1),
      },
      { op: 'input', x: [2, 8, 8, 64], filter: [1, 1, 64, 17], strides: 2, pad: 'valid' },
      {
        op: 'input',
        x: [1, 13, 13, 3],
        filter: [7, 7, 3, 16],
        strides: 2,
        pad: explicit(3, 3, 3, 3),
      },
      { op: 'input', x: [5, 5, 5, 5], filter: [3, 3, 5, 7], strides: 1, pad: 'valid' },
      { op: 'input', x: [1, 6, 6, 32], filter: [3, 3, 32, 32], strides: 1, pad: 'same' },
    ];
    expectAllClose(await compare(cases));
  });

  it('depthwise backprop filter (split reduction) and input', async () => {
    const cases: KernelCase[] = [
      { op: 'dwFilter', x: [1, 6, 6, 16], filter: [3, 3, 16, 1], strides: 1, pad: 'same' },
      { op: 'dwFilter', x: [5, 7, 7, 5], filter: [3, 3, 5, 1], strides: 2, pad: 'same', splits: 1 },
      { op: 'dwFilter', x: [5, 7, 7, 5], filter: [5, 5, 5, 2], strides: 2, pad: 'same', splits: 4 },
      {
        op: 'dwFilter',
        x: [2, 9, 9, 3],
        filter: [3, 3, 3, 1],
        strides: 2,
        pad: explicit(1, 1, 1, 1),
      },
      {
        op: 'dwFilter',
        x: [2, 8, 8, 64],
        filter: [1, 1, 64, 1],
        strides: 1,
        pad: 'valid',
        splits: 3,
      },
      { op: 'dwFilter', x: [5, 8, 8, 5], filter: [3, 3, 5, 1], strides: 1, pad: 'same' },
      { op: 'dwInput', x: [1, 6, 6, 16], filter: [3, 3, 16, 1], strides: 1, pad: 'same' },
      { op: 'dwInput', x: [5, 7, 7, 5], filter: [5, 5, 5, 2], strides: 2, pad: 'same' },
      {
        op: 'dwInput',
        x: [2, 9, 9, 3],
        filter: [3, 3, 3, 1],
        strides: 2,
        pad: explicit(1, 1, 1, 1),
      },
      { op: 'dwInput', x: [2, 8, 8, 64], filter: [3, 3, 64, 1], strides: 1, pad: 'valid' },
    ];
    expectAllClose(await compare(cases));
  });

  it('fused optimiser steps equal the tensor-op path (webgpu) and cpu, state snapshots untouched', async () => {
    const cfgs: OptimizerConfig[] = [
      { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
      { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-2 },
      { kind: 'sgd' },
      { kind: 'adam', weightDecay: 1e-2 },
      { kind: 'adamw', weightDecay: 5e-2, beta1: 0.8 },
      { kind: 'lars', momentum: 0.9, weightDecay: 1e-2, trustCoefficient: 0.02 },
      { kind: 'lars', nesterov: true, weightDecay: 0 },
    ] as OptimizerConfig[];
    const r = await page.evaluate(
      (c) =>
        (globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels.optimizers(c, 3),
      cfgs,
    );
    for (const x of r) {
      console.log(
        `${x.kind}: fused vs tensor ops ${x.vsOps.toExponential(2)}, vs cpu ${x.vsCpu.toExponential(2)} of the bound`,
      );
      // 3 steps × 3 variables, each one dispatch.
      expect(x.fused, x.kind).toBe(9);
      // Each dispatch reported its cost to the listeners: 3 steps × (288 + 8 + 70) elements.
      expect(x.costedElements, x.kind).toBe(3 * (288 + 8 + 70));
      expect(x.vsOps, x.kind).toBeLessThanOrEqual(1);
      expect(x.vsCpu, x.kind).toBeLessThanOrEqual(1);
    }
    expect(errors).toEqual([]);
  });

  it('50 tiny training steps after a warm-up keep tensors and GPU bytes flat, and learn', async () => {
    const r = await page.evaluate(() =>
      (globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels.tinyTraining(
        { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } as never,
        5,
        50,
      ),
    );
    expect(r.tensors.length).toBe(50);
    expect(new Set(r.tensors).size, `tensor counts ${r.tensors}`).toBe(1);
    expect(new Set(r.bytes).size, `GPU bytes ${r.bytes}`).toBe(1);
    expect(r.bytes[0]).toBeGreaterThan(0);
    expect(r.losses[1]).toBeLessThan(r.losses[0]);
    expect(errors).toEqual([]);
  });
});
