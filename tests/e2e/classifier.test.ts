/**
 * A supervised run's own classifier in the Evaluate panel (wasm): its figures equal the engine's and
 * its confusion matrix sums to the test split; predictions on a folder of new, unlabelled images
 * give a CSV with exactly one `file,label` row per image and a gallery grouped by class.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport, configureTinyRun, generateShapes, pickForImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { SHARED } from './datasets-on-disk';
import { storedDatasets } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

interface Result {
  accuracy: number;
  macroF1: number;
  confusion: number[][];
  queryIndices: Int32Array;
}

describe("the run's own classifier", () => {
  it('evaluates a supervised run like the engine does and predicts one CSV row per unlabelled image', async () => {
    const { context, page } = await newPage(browser);
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 160);
    await configureTinyRun(page, 1);
    await page.getByTestId('train-method').selectOption('supervised');
    await page.waitForTimeout(400);
    // Choosing the method restores its defaults: the tiny run's sizes again.
    await page.getByTestId('train-width').fill('8');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-batch').fill('32');
    await page.waitForTimeout(400);
    await page.getByTestId('train-start').click();
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    if ((await page.getByTestId('train-error').count()) > 0)
      console.log(`train error: ${await page.getByTestId('train-error').textContent()}`);
    expect(await page.getByTestId('train-message').textContent()).toMatch(/Finished after 1 epoch/);

    // Then twelve new images, imported with "none (unlabeled)" (after training: the Train panel
    // picks the newest dataset).
    const dir = join(SHARED, 'mnist-png', 'test', '7');
    const files = readdirSync(dir)
      .slice(0, 12)
      .map((f) => join(dir, f));
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await pickForImport(page, 'files', files);
    await page.locator('input[type="radio"][value="none"]').check();
    await commitImport(page, { name: 'new-images', size: 32 });
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
    const unlabelled = (await storedDatasets(page)).find((d) => d.name === 'new-images')!;
    expect(unlabelled.classes).toEqual([]);

    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.getByTestId('own-classifier').waitFor();
    const runId = await page.getByTestId('eval-run').inputValue();
    await page.getByTestId('classifier-run').click();
    await page.getByTestId('classifier-metrics').waitFor({ timeout: 120_000 });
    const shown = Number(
      await page.getByTestId('classifier-metrics-accuracy').getAttribute('data-value'),
    );
    const engine = await page.evaluate(
      (id) =>
        (
          window as unknown as {
            __simlab: { engine: { evaluateClassifier(r: unknown): Promise<Result> } };
          }
        ).__simlab.engine.evaluateClassifier({ runId: id, slot: 'latest' }),
      runId,
    );
    expect(shown).toBe(engine.accuracy);
    const testSize = (await storedDatasets(page)).find((d) => d.name !== 'new-images')!.counts.test;
    const nTest = (testSize as number[]).reduce((a, b) => a + b, 0);
    expect(engine.confusion.flat().reduce((a, b) => a + b, 0)).toBe(nTest);
    expect(engine.queryIndices.length).toBe(nTest);

    // Predictions on the unlabelled folder: one row per image, probabilities on request.
    await page.getByTestId('predict-dataset').selectOption(unlabelled.id);
    await page.getByTestId('predict-probs').check();
    await page.getByTestId('predict-run').click();
    await page.getByTestId('predict-summary').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('predict-summary').getAttribute('data-rows')).toBe('12');
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('predict-export').click(),
    ]);
    const lines = readFileSync((await dl.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('file,label,p_circle,p_square');
    expect(lines).toHaveLength(13);
    const names = lines.slice(1).map((l) => l.split(',')[0].split('/').pop());
    expect(new Set(names)).toEqual(new Set(files.map((f) => f.split('/').pop())));
    for (const l of lines.slice(1)) expect(['circle', 'square']).toContain(l.split(',')[1]);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="predict-gallery"] canvas').length === 12,
    );
    await page.getByTestId('own-classifier').screenshot({ path: '/tmp/own-classifier.png' });
    await context.close();
  });
});
