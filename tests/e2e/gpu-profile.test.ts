/**
 * The GPU-readiness profiler's dry run (src/ml/kernels/webgpu/profiler/dry-run.ts) lists exactly
 * the programs a real step dispatches, and its peak GPU bytes follow the real buffers: the same
 * training step (after one warm-up step) recorded dry (nothing dispatched) and for real on webgpu
 * (SwiftShader), tiny shapes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  GpuProfileRequest,
  GpuProfileResult,
} from '../../src/ml/kernels/webgpu/profiler/profile-types';
import { launch, newPage, openApp } from './browser';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type Engine = { benchGpuProfile(o: GpuProfileRequest): Promise<GpuProfileResult> };

describe('webgpu step profiler', () => {
  it('lists the same dispatches dry as a real step runs (ConvNet w4, 3 blocks, 8 px, batch 2)', async () => {
    const { context, page, errors } = await newPage(browser);
    expect(await openApp(page, appUrl, '?backend=webgpu')).toBe('webgpu');
    const lists = await page.evaluate(async () => {
      const engine = (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine;
      const req = {
        method: 'supervised' as const,
        backbone: { name: 'convnet', width: 4, inputSize: 8, blocks: 3 },
        batch: 2,
        kernels: 'current' as const,
        warmup: 1,
        listOnly: true,
      };
      const dry = await engine.benchGpuProfile({ ...req, mode: 'dry' });
      const real = await engine.benchGpuProfile({ ...req, mode: 'real' });
      const other = await engine.benchGpuProfile({ ...req, batch: 3, mode: 'dry' });
      return {
        dry: dry.list,
        real: real.list,
        other: other.list,
        peaks: [dry.startGpuBytes, dry.peakGpuBytes, real.startGpuBytes, real.peakGpuBytes],
        uploads: [dry.uploadBytes, real.uploadBytes],
      };
    });
    await context.close();
    expect(lists.real.length).toBeGreaterThan(30);
    expect(lists.dry).toEqual(lists.real);
    // Another batch lists other shapes: the comparison can fail.
    expect(lists.other).not.toEqual(lists.real);
    // The same JavaScript arrays reach the GPU (seeded views are uploaded before the step).
    expect(lists.uploads[0]).toBe(lists.uploads[1]);
    // The step's own peak (above what was resident when it began) agrees with the real buffers'.
    const [dryStart, dryPeak, realStart, realPeak] = lists.peaks;
    expect(realPeak - realStart).toBeGreaterThan(0);
    expect((dryPeak - dryStart) / (realPeak - realStart)).toBeGreaterThan(0.9);
    expect((dryPeak - dryStart) / (realPeak - realStart)).toBeLessThan(1.1);
    expect(errors).toEqual([]);
  }, 120_000);
});
