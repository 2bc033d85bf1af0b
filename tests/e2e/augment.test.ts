import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { storedDatasets } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type Engine = {
  augmentPresets(): Promise<{ name: string; views: unknown[] }[]>;
  augmentPreview(r: unknown): Promise<{
    views: [Uint8Array, Uint8Array];
    rawViews?: [Float32Array, Float32Array];
    backend: string;
    outputSize: number;
  }>;
};

/** Runs the engine's augmentation of stored images in the page (the app exposes window.__simlab). */
function preview(
  page: Page,
  req: {
    datasetId: string;
    indices: number[];
    preset: string;
    outputSize: number;
    seed: number;
    raw: boolean;
  },
) {
  return page.evaluate(async (r) => {
    const engine = (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine;
    const preset = (await engine.augmentPresets()).find((p) => p.name === r.preset)!;
    const out = await engine.augmentPreview({
      datasetId: r.datasetId,
      indices: r.indices,
      pipeline: { outputSize: r.outputSize, views: preset.views },
      seed: r.seed,
      raw: r.raw,
    });
    return {
      backend: out.backend,
      views: out.views.map((v) => Array.from(v)),
      raw: out.rawViews ? out.rawViews.map((v) => Array.from(v)) : null,
    };
  }, req);
}

describe('augmentation in Chromium', () => {
  let context: BrowserContext;

  it('gives the same views on webgpu and cpu for the same pipeline and seed (≤ 1e-3)', async () => {
    ({ context } = await newPage(browser));
    const gpu = await context.newPage();
    expect(await openApp(gpu, appUrl, '?backend=webgpu')).toBe('webgpu');
    await gpu.getByTestId('generate-shapes').click();
    await gpu.getByTestId('import-report').waitFor({ timeout: 60_000 });
    const ds = (await storedDatasets(gpu)).find((d) => d.name.startsWith('shapes-'))!;
    const cpu = await context.newPage();
    expect(await openApp(cpu, appUrl, '?backend=cpu')).toBe('cpu');
    for (const preset of ['simclr', 'byol']) {
      const req = {
        datasetId: ds.id,
        indices: [0, 1, 2, 3],
        preset,
        outputSize: 16,
        seed: 42,
        raw: true,
      };
      const a = await preview(gpu, req);
      const b = await preview(cpu, req);
      expect(a.backend).toBe('webgpu');
      expect(b.backend).toBe('cpu');
      for (let v = 0; v < 2; v++) {
        let max = 0;
        a.raw![v].forEach((x, i) => (max = Math.max(max, Math.abs(x - b.raw![v][i]))));
        // Values are normalised (≈ ±2.6): 1e-3 is well under one display level.
        expect(max, `${preset} view ${v + 1}: max |webgpu − cpu|`).toBeLessThanOrEqual(1e-3);
      }
      // Different seeds give different views.
      const c = await preview(cpu, { ...req, seed: 43 });
      expect(c.raw![0]).not.toEqual(b.raw![0]);
    }
    await context.close();
  });

  it('draws in the Augment panel exactly the engine output for the seed shown', async () => {
    const { context: ctx, page, errors } = await newPage(browser);
    context = ctx;
    await openApp(page, appUrl, '?backend=wasm');
    await page.getByTestId('load-clothing-sample').click();
    await page.getByTestId('import-review').waitFor({ timeout: 60_000 });
    await commitImport(page);
    await page.getByRole('button', { name: 'Augment', exact: true }).click();
    const grid = page.getByTestId('pairs-grid');
    await grid.waitFor({ timeout: 60_000 });
    // Re-roll by keyboard, then type a seed: the grid follows the seed shown.
    const before = await grid.getAttribute('data-seed');
    await page.locator('body').press('r');
    await expect.poll(() => grid.getAttribute('data-seed')).not.toBe(before);
    await page.getByTestId('aug-seed').fill('777');
    await page.getByTestId('aug-seed').press('Enter');
    await expect.poll(() => page.getByTestId('aug-shown-seed').textContent()).toBe('777');
    await page.waitForTimeout(500);
    const seed = Number(await grid.getAttribute('data-seed'));
    const indices = ((await grid.getAttribute('data-indices')) ?? '').split(',').map(Number);
    expect(seed).toBe(777);
    expect(indices.length).toBe(12);
    const datasetId = (await page.getByTestId('aug-dataset').getAttribute('data-dataset-id'))!;
    const drawn = await page.evaluate(() => {
      const read = (role: string) =>
        Array.from(
          document.querySelectorAll<HTMLCanvasElement>(
            `[data-testid="pairs-grid"] canvas[data-role="${role}"]`,
          ),
        ).map((c) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const rgb: number[] = [];
          for (let i = 0; i < d.length; i += 4) rgb.push(d[i], d[i + 1], d[i + 2]);
          return rgb;
        });
      return [read('view1'), read('view2')];
    });
    const engine = await preview(page, {
      datasetId,
      indices,
      preset: 'simclr',
      outputSize: 64,
      seed,
      raw: false,
    });
    const per = 64 * 64 * 3;
    for (let v = 0; v < 2; v++) {
      expect(drawn[v].length).toBe(12);
      drawn[v].forEach((px, k) =>
        expect(px, `pair ${k} view ${v + 1}`).toEqual(
          engine.views[v].slice(k * per, (k + 1) * per),
        ),
      );
    }
    // Views differ from each other (the ops are not no-ops).
    expect(drawn[0][0]).not.toEqual(drawn[1][0]);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
