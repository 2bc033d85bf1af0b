import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureTinyRun, generateShapes } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { storedRuns } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type Engine = {
  stepParity(o: unknown): Promise<{ backend: string; loss: number; grads: number[][] }>;
};

function stepParity(page: Page, method: string) {
  return page.evaluate(
    (method) =>
      (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine.stepParity({
        method,
        size: 8,
        batch: 4,
        seed: 3,
      }),
    method,
  );
}

describe('training in Chromium', () => {
  it('one step of each method on webgpu gives the loss and gradients of the cpu backend', async () => {
    const { context } = await newPage(browser);
    const gpu = await context.newPage();
    const cpu = await context.newPage();
    expect(await openApp(gpu, appUrl, '?backend=webgpu')).toBe('webgpu');
    expect(await openApp(cpu, appUrl, '?backend=cpu')).toBe('cpu');
    for (const method of ['supervised', 'simclr', 'byol', 'simsiam', 'mocov2']) {
      const a = await stepParity(gpu, method);
      const b = await stepParity(cpu, method);
      expect(a.backend).toBe('webgpu');
      expect(b.backend).toBe('cpu');
      expect(
        Math.abs(a.loss - b.loss),
        `${method} loss ${a.loss} vs ${b.loss}`,
      ).toBeLessThanOrEqual(1e-4);
      expect(a.grads.length).toBe(b.grads.length);
      let worst = 0;
      a.grads.forEach((g, i) =>
        g.forEach(
          (x, j) =>
            (worst = Math.max(
              worst,
              Math.abs(x - b.grads[i][j]) / (1e-3 + Math.abs(b.grads[i][j])),
            )),
        ),
      );
      console.log(
        `${method}: loss webgpu ${a.loss.toFixed(6)} cpu ${b.loss.toFixed(6)}; worst relative gradient difference ${worst.toExponential(2)}`,
      );
      a.grads.forEach((g, i) =>
        g.forEach((x, j) =>
          expect(Math.abs(x - b.grads[i][j]), `${method} grad ${i}[${j}]`).toBeLessThanOrEqual(
            1e-4 + 1e-3 * Math.abs(b.grads[i][j]),
          ),
        ),
      );
    }
    await context.close();
  });

  let context: BrowserContext;
  let page: Page;

  it('trains SimCLR briefly on wasm from the Train panel: curves, and kNN figures equal to the engine record', async () => {
    ({ context, page } = await newPage(browser));
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 200);
    await configureTinyRun(page, 2);
    await page.getByTestId('train-start').click();
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('train-message').textContent()).toMatch(
      /Finished after 2 epochs/,
    );
    const shown = await page
      .getByTestId('epoch-table')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          epoch: Number(r.getAttribute('data-epoch')),
          knn: r.querySelector('[data-knn]')?.getAttribute('data-knn'),
        })),
      );
    const runs = await storedRuns(page);
    expect(runs.length).toBe(1);
    expect(runs[0].status).toBe('finished');
    const engine = runs[0].curves.epochs;
    expect(shown.map((r) => r.epoch)).toEqual([0, 1, 2]);
    for (const r of shown) {
      const e = engine.find((p) => p.epoch === r.epoch);
      expect(e?.knnTop1).toBeTypeOf('number');
      expect(Number(r.knn)).toBe(e?.knnTop1);
    }
    expect(
      Number(await page.getByTestId('chart-loss').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('chart-acc').getAttribute('data-points'))).toBe(3);
  });

  it('a run interrupted by a reload resumes from its checkpoint', async () => {
    await page.reload();
    await page.getByTestId('backend-name').waitFor();
    await configureTinyRun(page, 4);
    await page.getByTestId('train-start').click();
    // Wait for epoch 1's checkpoint to be written, then reload mid-run.
    await page.waitForFunction(
      () =>
        /checkpoint at epoch [12]/.test(
          document.querySelector('[data-testid="train-progress"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 240_000 },
    );
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByTestId('backend-name').waitFor();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const resume = page.getByTestId('train-resume-run');
    await resume.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('resumable').textContent()).toMatch(/interrupted/);
    await resume.click();
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('train-message').textContent()).toMatch(
      /Finished after 4 epochs/,
    );
    const run = (await storedRuns(page)).find((r) => r.curves.epochs.length === 5);
    expect(run?.status).toBe('finished');
    expect(run?.curves.epochs.map((p) => p.epoch).sort()).toEqual([0, 1, 2, 3, 4]);
    await context.close();
  });
});
