/**
 * Augmentation throughput in headless Chromium (issue: augmentations): the SimCLR pipeline, stored
 * 96 px → views 64 px, batch 256, two views per image, on webgpu (SwiftShader here unless a GPU is
 * present), wasm and cpu. Anchor: the same backend's square matmul GFLOP/s in the same page.
 * Images/s counts source images (each yields two views).
 */
import type { Page } from 'playwright-core';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

type Engine = {
  benchAugment(o: unknown): Promise<{ backend: string; medianPairMs: number }>;
  benchMatmul(o: unknown): Promise<{ backend: string; gflops: number }>;
};

const CASES: { backend: string; n: number; repeats: number; matmul: number }[] = [
  { backend: 'wasm', n: 256, repeats: 5, matmul: 512 },
  { backend: 'webgpu', n: Number(process.env.BENCH_WEBGPU_N ?? 32), repeats: 2, matmul: 256 },
  { backend: 'cpu', n: 64, repeats: 2, matmul: 256 },
];

async function run(page: Page, c: (typeof CASES)[number]) {
  return page.evaluate(async (c) => {
    const engine = (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine;
    const aug = await engine.benchAugment({
      n: c.n,
      inputSize: 96,
      outputSize: 64,
      preset: 'simclr',
      repeats: c.repeats,
    });
    const mm = await engine.benchMatmul({ n: c.matmul, repeats: 3 });
    return { aug, mm };
  }, c);
}

const app = await startApp();
try {
  for (const c of CASES) {
    const { context, page } = await newPage(app.browser);
    const active = await openApp(page, app.served.url, `?backend=${c.backend}`);
    const r = await run(page, c);
    const imagesPerSec = c.n / (r.aug.medianPairMs / 1000);
    emit({
      figure: 'augment SimCLR pair (2 views)',
      backend: active,
      size: `96→64 px, batch ${c.n}`,
      median: imagesPerSec,
      unit: 'images/s',
      runs: c.repeats,
      anchor: { name: 'matmul', value: r.mm.gflops, unit: 'GFLOP/s' },
      ratio: null,
      note: `${r.aug.medianPairMs.toFixed(0)} ms per batch${active !== c.backend ? ` (asked for ${c.backend})` : ''}`,
    });
    await context.close();
  }
} finally {
  await app.close();
}
