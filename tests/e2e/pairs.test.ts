/**
 * The pairs lab in Chromium (wasm): the Data panel's pairs preview shows the engine's pairs with
 * their labels; the Pairs panel trains the siamese model briefly from the UI, updates the score
 * histograms during training, and shows PR curves, the threshold table, final histograms, failure
 * galleries and the comparison table with exactly the numbers the engine reports.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateShapes } from './app-actions';
import { launch, newPage, openApp } from './browser';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type Gallery = Record<
  'closestDifferent' | 'farthestSame' | 'confidentCorrect',
  { index: number; score: number; label: number }[]
>;
interface ReportNumbers {
  modelId: number;
  threshold: number;
  epochs: number;
  history: { epoch: number; histograms: Record<string, { same: number[]; different: number[] }> }[];
  splits: {
    split: string;
    best: { threshold: number; precision: number; recall: number; f1: number };
    atThreshold: { precision: number; recall: number; f1: number };
    curvePoints: number;
    histogram: { same: number[]; different: number[] };
    gallery: Gallery;
  }[];
  comparison: { modelId: number; split: string; f1: number; precision: number; recall: number }[];
}

/** The engine's latest pairs report, reduced to the numbers the panel shows. */
function engineReport(page: Page): Promise<ReportNumbers | null> {
  return page.evaluate(async () => {
    type R = {
      modelId: number;
      threshold: number;
      history: {
        epoch: number;
        histograms: Record<string, { same: number[]; different: number[] }>;
      }[];
      splits: {
        split: string;
        best: ReportNumbers['splits'][number]['best'];
        atThreshold: ReportNumbers['splits'][number]['atThreshold'];
        curve: { recall: number[] };
        histogram: { same: number[]; different: number[] };
        gallery: Record<string, { index: number; score: number; label: number }[]>;
      }[];
      comparison: ReportNumbers['comparison'];
    };
    const engine = (
      window as unknown as { __simlab: { engine: { pairsReport(): Promise<R | null> } } }
    ).__simlab.engine;
    const r = await engine.pairsReport();
    if (!r) return null;
    const strip = (xs: { index: number; score: number; label: number }[]) =>
      xs.map(({ index, score, label }) => ({ index, score, label }));
    return {
      modelId: r.modelId,
      threshold: r.threshold,
      epochs: r.history.length,
      history: r.history.map((h) => ({ epoch: h.epoch, histograms: h.histograms })),
      splits: r.splits.map((s) => ({
        split: s.split,
        best: s.best,
        atThreshold: s.atThreshold,
        curvePoints: s.curve.recall.length,
        histogram: s.histogram,
        gallery: {
          closestDifferent: strip(s.gallery.closestDifferent),
          farthestSame: strip(s.gallery.farthestSame),
          confidentCorrect: strip(s.gallery.confidentCorrect),
        },
      })),
      comparison: r.comparison.map(({ modelId, split, f1, precision, recall }) => ({
        modelId,
        split,
        f1,
        precision,
        recall,
      })),
    };
  });
}

const close = (a: string | null, b: number) => expect(Math.abs(Number(a) - b)).toBeLessThan(1e-6);

describe('pairs lab in Chromium (wasm)', () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  it('Data panel: the pairs preview shows the engine’s seeded pairs with their labels', async () => {
    ({ context, page, errors } = await newPage(browser));
    await openApp(page, appUrl, '?backend=wasm');
    await page.getByTestId('pairs-preview').locator('summary').click();
    await page.getByTestId('pairs-preview-grid').waitFor();
    await page.getByTestId('pairs-preview-seed').fill('7');
    const engine = await page.evaluate(async () => {
      const e = (
        window as unknown as {
          __simlab: {
            engine: { pairsPreview(r: unknown): Promise<{ labels: Uint8Array; kinds: string[] }> };
          };
        }
      ).__simlab.engine;
      const p = await e.pairsPreview({ seed: 7, n: 12, split: 'train' });
      return { labels: Array.from(p.labels), kinds: p.kinds };
    });
    // The grid redraws for seed 7 (the latest request wins over the first, seed-1 preview).
    await page.waitForFunction((want) => {
      const got = Array.from(document.querySelectorAll('[data-testid="pairs-preview-item"]'), (e) =>
        e.getAttribute('data-label'),
      ).join(',');
      return got === want;
    }, engine.labels.join(','));
    const shown = await page.getByTestId('pairs-preview-item').evaluateAll((els) =>
      els.map((e) => ({
        label: Number(e.getAttribute('data-label')),
        text: e.querySelector('figcaption')?.textContent?.trim() ?? '',
        canvases: e.querySelectorAll('canvas').length,
      })),
    );
    expect(shown.map((s) => s.label)).toEqual(engine.labels);
    for (const [i, s] of shown.entries()) {
      expect(s.canvases).toBe(2);
      expect(s.text).toBe(s.label === 1 ? 'same' : 'different');
      expect(engine.kinds[2 * i] === engine.kinds[2 * i + 1]).toBe(s.label === 1);
    }
    expect(new Set(shown.map((s) => s.label))).toEqual(new Set([0, 1]));
  });

  it('trains the siamese model from the UI: histograms update during training; PR curves, thresholds, galleries and comparison equal the engine’s numbers', async () => {
    await page.getByRole('button', { name: 'Pairs', exact: true }).click();
    await page.getByTestId('pairs-model-siamese').check();
    await page.getByTestId('pairs-n-train').fill('200');
    await page.getByTestId('pairs-n-test').fill('100');
    await page.getByTestId('pairs-n-colour').fill('60');
    await page.getByTestId('pairs-n-texture').fill('60');
    await page.getByTestId('pairs-width').fill('4');
    await page.getByTestId('pairs-epochs').fill('3');
    await page.getByTestId('pairs-lr').fill('0.003');

    // Sample the live view in the page while it trains: which epoch's histograms are drawn, their counts, the status.
    await page.evaluate(() => {
      const w = window as unknown as {
        __pairsSamples: {
          epoch: string | null;
          draws: number;
          counts: string | null;
          status: string | null;
          results: boolean;
        }[];
      };
      w.__pairsSamples = [];
      const timer = setInterval(() => {
        const live = document.querySelector('[data-testid="pairs-live-histograms"]');
        const hist = document.querySelector('[data-testid="pairs-hist-test"]');
        const status =
          document.querySelector('[data-testid="pairs-status"]')?.getAttribute('data-status') ??
          null;
        w.__pairsSamples.push({
          epoch: live?.getAttribute('data-epoch') ?? null,
          draws: Number(hist?.getAttribute('data-draws') ?? 0),
          counts: hist?.getAttribute('data-counts') ?? null,
          status,
          results: document.querySelector('[data-testid="pairs-results"]') !== null,
        });
        if (w.__pairsSamples.length > 1 && status === 'idle' && w.__pairsSamples.at(-1)?.results)
          clearInterval(timer);
      }, 40);
    });
    await page.getByTestId('pairs-train').click();
    await page.getByTestId('pairs-results').waitFor({ timeout: 240_000 });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="pairs-status"]')?.getAttribute('data-status') ===
        'idle',
    );

    const r = await engineReport(page);
    if (!r) throw new Error('the engine has no pairs report');
    expect(r.epochs).toBe(3);
    expect(r.splits.map((s) => s.split)).toEqual(['test', 'colour', 'texture']);

    // Live histograms: drawn (plotly finished) while the model was still training, with the engine's per-epoch counts.
    const samples = await page.evaluate(
      () =>
        (
          window as unknown as {
            __pairsSamples: {
              epoch: string | null;
              draws: number;
              counts: string | null;
              status: string | null;
              results: boolean;
            }[];
          }
        ).__pairsSamples,
    );
    const during = samples.filter(
      (s) => s.status === 'training' && !s.results && s.epoch !== null && s.draws > 0,
    );
    console.log(
      `live histogram samples while training: ${during.length} (epochs ${[...new Set(during.map((s) => s.epoch))].join(', ')})`,
    );
    expect(during.length).toBeGreaterThan(0);
    // Updated during training: the drawn histograms moved from one epoch to a later one before the run ended.
    expect(new Set(during.map((s) => s.epoch)).size).toBeGreaterThanOrEqual(2);
    for (const s of during) {
      const h = r.history[Number(s.epoch) - 1].histograms.test;
      expect(s.counts).toBe(`${h.same.join(',')}|${h.different.join(',')}`);
    }

    // Threshold table: each split's own best-F1 threshold with P/R/F1, and P/R/F1 at the threshold chosen on colour.
    close(await page.getByTestId('pairs-results').getAttribute('data-threshold'), r.threshold);
    const rows = await page
      .getByTestId('pairs-threshold-row')
      .evaluateAll((els) =>
        els.map((e) => Object.fromEntries(Array.from(e.attributes, (a) => [a.name, a.value]))),
      );
    expect(rows.map((row) => row['data-split'])).toEqual(['test', 'colour', 'texture']);
    for (const [i, s] of r.splits.entries()) {
      const row = rows[i];
      close(row['data-threshold'], s.best.threshold);
      close(row['data-precision'], s.best.precision);
      close(row['data-recall'], s.best.recall);
      close(row['data-f1'], s.best.f1);
      close(row['data-t-precision'], s.atThreshold.precision);
      close(row['data-t-recall'], s.atThreshold.recall);
      close(row['data-t-f1'], s.atThreshold.f1);
      // The displayed (rounded) F1 is the engine's.
      expect(
        await page
          .locator(`[data-testid="pairs-threshold-row"][data-split="${s.split}"] td`)
          .nth(4)
          .textContent(),
      ).toBe(s.best.f1.toFixed(3));
    }
    // The validation split's own best threshold is the transferred one.
    close(rows[1]['data-threshold'], r.threshold);

    // PR curves (plotly drawn, as many points as the engine's curve) and the final histograms.
    for (const s of r.splits) {
      expect(
        Number(await page.getByTestId(`pairs-pr-${s.split}`).getAttribute('data-points')),
      ).toBe(s.curvePoints);
      await page.getByTestId(`pairs-pr-chart-${s.split}`).locator('.main-svg').first().waitFor();
      const fh = page.getByTestId(`pairs-final-hist-${s.split}`);
      await page.waitForFunction(
        (id) =>
          Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-draws') ?? 0) >
          0,
        `pairs-final-hist-${s.split}`,
      );
      expect(await fh.getAttribute('data-counts')).toBe(
        `${s.histogram.same.join(',')}|${s.histogram.different.join(',')}`,
      );
    }

    // Failure galleries of every split: indices, labels and scores as the engine ranked them, two canvases per pair.
    for (const s of r.splits) {
      await page.getByTestId(`pairs-gallery-tab-${s.split}`).click();
      await page.locator(`[data-testid="pairs-gallery"][data-split="${s.split}"]`).waitFor();
      for (const kind of ['closestDifferent', 'farthestSame', 'confidentCorrect'] as const) {
        const items = await page
          .locator(
            `[data-testid="pairs-gallery"][data-split="${s.split}"] [data-testid="pairs-gallery-${kind}"] [data-testid="pairs-gallery-item"]`,
          )
          .evaluateAll((els) =>
            els.map((e) => ({
              index: Number(e.getAttribute('data-index')),
              label: Number(e.getAttribute('data-label')),
              score: e.getAttribute('data-score'),
              canvases: e.querySelectorAll('canvas').length,
            })),
          );
        const want = s.gallery[kind];
        expect(want.length).toBeGreaterThan(0);
        expect(items.map((g) => [g.index, g.label])).toEqual(want.map((g) => [g.index, g.label]));
        items.forEach((g, i) => {
          close(g.score, want[i].score);
          expect(g.canvases).toBe(2);
        });
      }
      // No centre head on the plain siamese model.
      expect(await page.getByTestId('pairs-centre').count()).toBe(0);
    }

    // Comparison table of the session's models (one so far).
    const cmp = await page.getByTestId('pairs-comparison-row').evaluateAll((els) =>
      els.map((e) => ({
        split: e.getAttribute('data-split'),
        f1: e.getAttribute('data-f1'),
        p: e.getAttribute('data-precision'),
        r: e.getAttribute('data-recall'),
      })),
    );
    expect(cmp.map((c) => c.split)).toEqual(r.comparison.map((c) => c.split));
    cmp.forEach((c, i) => {
      close(c.f1, r.comparison[i].f1);
      close(c.p, r.comparison[i].precision);
      close(c.r, r.comparison[i].recall);
    });
    // The comparison's F1 on test is the table's F1 at the validation threshold.
    close(cmp[0].f1, r.splits[0].atThreshold.f1);

    // Re-evaluating with 3 pairs per gallery: same model, same numbers, shorter galleries.
    await page.getByTestId('pairs-gallery-k').fill('3');
    await page.getByTestId('pairs-reevaluate').click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="pairs-gallery-closestDifferent"]')
          ?.getAttribute('data-count') === '3',
    );
    const again = await engineReport(page);
    expect(again?.modelId).toBe(r.modelId);
    expect(again?.threshold).toBe(r.threshold);
    expect(again?.splits[0].gallery.closestDifferent).toEqual(
      r.splits[0].gallery.closestDifferent.slice(0, 3),
    );
    close(await page.getByTestId('pairs-results').getAttribute('data-threshold'), r.threshold);

    expect(errors).toEqual([]);
  });

  it('pairs from a stored dataset: early fusion stopped after its first epoch is evaluated on test and val; the comparison lists both models', async () => {
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await generateShapes(page, 200);
    await page.getByRole('button', { name: 'Pairs', exact: true }).click();
    await page.getByTestId('pairs-model-early-fusion').check();
    await page.getByTestId('pairs-source-stored').check();
    await page.getByTestId('pairs-dataset').waitFor();
    await page.getByTestId('pairs-stored-train').fill('100');
    await page.getByTestId('pairs-stored-val').fill('40');
    await page.getByTestId('pairs-stored-test').fill('40');
    await page.getByTestId('pairs-width').fill('4');
    await page.getByTestId('pairs-epochs').fill('200');
    await page.getByTestId('pairs-train').click();
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="pairs-live"]')?.getAttribute('data-epochs') ?? 0,
        ) >= 1,
      undefined,
      { timeout: 120_000 },
    );
    await page.getByTestId('pairs-stop').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="pairs-results"]')?.getAttribute('data-model-id') ===
        '2',
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="pairs-status"]')?.getAttribute('data-status') ===
        'idle',
    );

    const r = await engineReport(page);
    if (!r) throw new Error('the engine has no pairs report');
    expect(r.modelId).toBe(2);
    expect(r.epochs).toBeGreaterThanOrEqual(1);
    expect(r.epochs).toBeLessThan(200);
    expect(await page.getByTestId('pairs-results').textContent()).toContain('(stopped)');
    const rows = await page.getByTestId('pairs-threshold-row').evaluateAll((els) =>
      els.map((e) => ({
        split: e.getAttribute('data-split'),
        f1: e.getAttribute('data-f1'),
        tf1: e.getAttribute('data-t-f1'),
        label: e.querySelector('td')?.textContent ?? '',
      })),
    );
    expect(rows.map((row) => row.split)).toEqual(['test', 'colour']);
    expect(rows[1].label).toMatch(/^val/);
    rows.forEach((row, i) => {
      close(row.f1, r.splits[i].best.f1);
      close(row.tf1, r.splits[i].atThreshold.f1);
    });
    // Probabilities: histogram bins over [0, 1].
    expect(await page.getByTestId('pairs-final-hist-test').getAttribute('data-counts')).toBe(
      `${r.splits[0].histogram.same.join(',')}|${r.splits[0].histogram.different.join(',')}`,
    );
    const cmp = await page.getByTestId('pairs-comparison-row').evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-model-id')),
        split: e.getAttribute('data-split'),
        f1: e.getAttribute('data-f1'),
      })),
    );
    expect(cmp.map((c) => [c.id, c.split])).toEqual([
      [1, 'test'],
      [1, 'colour'],
      [1, 'texture'],
      [2, 'test'],
      [2, 'colour'],
    ]);
    cmp.forEach((c, i) => close(c.f1, r.comparison[i].f1));
    expect(errors).toEqual([]);
    await context.close();
  });
});
