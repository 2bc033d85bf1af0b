import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateShapes, trainTiny } from './app-actions';
import { launch, newPage, openApp } from './browser';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

interface Emb {
  x: Float32Array;
  n: number;
  dim: number;
  labels: Int32Array;
}

/**
 * Weighted kNN recomputed in the page in plain JS (float64 cosine, full sort) from the engine's
 * embeddings: k most similar bank rows vote exp(sim / T); ties go to the lower class.
 */
function knnInPage(
  page: Page,
  runId: string,
  k: number,
  t: number,
): Promise<{ accuracy: number; nTest: number; nTrain: number }> {
  return page.evaluate(
    async ({ runId, k, t }) => {
      const engine = (
        window as unknown as { __simlab: { engine: { embeddings(r: unknown): Promise<Emb> } } }
      ).__simlab.engine;
      const bank = await engine.embeddings({ runId, slot: 'latest', splits: ['train'] });
      const test = await engine.embeddings({ runId, slot: 'latest', splits: ['test'] });
      const norm = (e: Emb, i: number) => {
        let s = 0;
        for (let j = 0; j < e.dim; j++) s += e.x[i * e.dim + j] ** 2;
        return Math.max(Math.sqrt(s), 1e-12);
      };
      const classes = Math.max(...bank.labels) + 1;
      let hit = 0,
        nq = 0;
      for (let q = 0; q < test.n; q++) {
        if (test.labels[q] < 0) continue;
        nq++;
        const nqv = norm(test, q);
        const sims: { s: number; i: number }[] = [];
        for (let b = 0; b < bank.n; b++) {
          if (bank.labels[b] < 0) continue;
          let d = 0;
          for (let j = 0; j < bank.dim; j++)
            d += test.x[q * test.dim + j] * bank.x[b * bank.dim + j];
          sims.push({ s: d / (nqv * norm(bank, b)), i: b });
        }
        sims.sort((a, b) => b.s - a.s || a.i - b.i);
        const votes = new Float64Array(classes);
        for (const { s, i } of sims.slice(0, k)) votes[bank.labels[i]] += Math.exp(s / t);
        let best = 0;
        for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
        if (best === test.labels[q]) hit++;
      }
      return { accuracy: hit / nq, nTest: nq, nTrain: bank.n };
    },
    { runId, k, t },
  );
}

type EngineHandle = {
  evaluateKnn(r: unknown): Promise<{ accuracy: number; confusion: number[][] }>;
  evaluateProbe(r: unknown): Promise<{ accuracy: number; curves: unknown[] }>;
  listDatasets(): Promise<{ datasets: { id: string; name: string }[] }>;
  getDatasetIndex(id: string): Promise<{ splits: Uint8Array; labels: Int16Array }>;
};

describe('Evaluate panel in Chromium (wasm)', () => {
  let context: BrowserContext;
  let page: Page;
  let runId = '';

  it('kNN accuracy equals the engine and a page-side recomputation; confusion sums to the test split; t-SNE CSV has a row per image', async () => {
    let errors: string[];
    ({ context, page, errors } = await newPage(browser));
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 200);
    await trainTiny(page, 1);

    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.getByTestId('eval-form').waitFor();
    await page.getByTestId('knn-k').fill('20');
    await page.getByTestId('knn-t').fill('0.1');
    await page.getByTestId('knn-run').click();
    await page.getByTestId('knn-result-accuracy').waitFor({ timeout: 120_000 });
    const shown = Number(await page.getByTestId('knn-result-accuracy').getAttribute('data-value'));
    runId = await page.getByTestId('eval-run').inputValue();

    // The engine's value for the same checkpoint and data.
    const engineAcc = await page.evaluate(async (runId) => {
      const engine = (
        window as unknown as {
          __simlab: { engine: { evaluateKnn(r: unknown): Promise<{ accuracy: number }> } };
        }
      ).__simlab.engine;
      return (await engine.evaluateKnn({ runId, slot: 'latest', k: 20, temperature: 0.1 }))
        .accuracy;
    }, runId);
    expect(shown).toBe(engineAcc);
    // The trainer's own monitor at the last epoch (bank = all 160 train images, queries = the val split, k 200, T 0.1) measured the same weights.
    const monitor = await page.evaluate(async (runId) => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: EngineHandle & {
              listRuns(): Promise<
                { id: string; curves: { epochs: { epoch: number; knnTop1?: number }[] } }[]
              >;
            };
          };
        }
      ).__simlab.engine;
      const run = (await engine.listRuns()).find((r) => r.id === runId);
      const last = run?.curves.epochs.at(-1);
      const r = await engine.evaluateKnn({
        runId,
        slot: 'latest',
        k: 200,
        temperature: 0.1,
        querySplit: 'val',
      });
      return {
        recorded: last?.knnTop1,
        epoch: last?.epoch,
        ours: r.accuracy,
        n: r.confusion.flat().reduce((a, b) => a + b, 0),
      };
    }, runId);
    console.log(
      `monitor kNN at epoch ${monitor.epoch}: recorded ${monitor.recorded}, evaluator ${monitor.ours} (${monitor.n} val images)`,
    );
    expect(monitor.epoch).toBe(1);
    expect(Math.abs((monitor.recorded as number) - monitor.ours)).toBeLessThanOrEqual(
      1 / monitor.n + 1e-12,
    );

    // An independent recomputation from the embeddings (ties in float32 similarity may flip at most one query).
    const ref = await knnInPage(page, runId, 20, 0.1);
    expect(Math.abs(ref.accuracy - shown)).toBeLessThanOrEqual(1 / ref.nTest + 1e-12);
    console.log(
      `kNN top-1: panel ${shown}, page recomputation ${ref.accuracy} (${ref.nTest} test, ${ref.nTrain} train)`,
    );

    // Confusion cells sum to the test split size.
    const testSize = await page.evaluate(async () => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: {
              listDatasets(): Promise<{ datasets: { id: string }[] }>;
              getDatasetIndex(id: string): Promise<{ splits: Uint8Array; labels: Int16Array }>;
            };
          };
        }
      ).__simlab.engine;
      const { datasets } = await engine.listDatasets();
      const idx = await engine.getDatasetIndex(datasets[0].id);
      let n = 0;
      for (let i = 0; i < idx.splits.length; i++)
        if (idx.splits[i] === 2 && idx.labels[i] >= 0) n++;
      return n;
    });
    expect(testSize).toBe(ref.nTest);
    const cells = JSON.parse(
      (await page.getByTestId('knn-result-confusion').getAttribute('data-cells')) ?? '[]',
    ) as number[][];
    expect(cells.length).toBe(2);
    expect(cells.flat().reduce((a, b) => a + b, 0)).toBe(testSize);
    let diag = 0;
    cells.forEach((r, i) => (diag += r[i]));
    expect(diag / testSize).toBeCloseTo(shown, 12);

    // Predictions CSV: one row per test image.
    const [predDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('knn-export').click(),
    ]);
    const pred = readFileSync((await predDl.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(pred[0]).toBe(
      'path,true_class,predicted_class,probability,top1_class,top1_prob,top2_class,top2_prob,top3_class,top3_prob',
    );
    expect(pred.length - 1).toBe(testSize);

    // t-SNE of train + test embeddings; the map updates while it optimises; CSV export.
    await page.getByTestId('tsne-iterations').fill('300');
    // Record every iteration count the status line shows while t-SNE runs.
    await page.evaluate(() => {
      const seen: number[] = ((window as unknown as { __seen: number[] }).__seen = []);
      new MutationObserver(() => {
        const m = /iteration (\d+) \//.exec(
          document.querySelector('[data-testid="map-status"]')?.textContent ?? '',
        );
        if (m && seen.at(-1) !== Number(m[1])) seen.push(Number(m[1]));
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('map-run').click();
    await page
      .locator('[data-testid="map-status"][data-done="true"]')
      .waitFor({ timeout: 180_000 });
    const seen = await page.evaluate(() => (window as unknown as { __seen: number[] }).__seen);
    expect(seen.length, `iterations shown: ${seen.join(',')}`).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(300);
    expect(Number(await page.getByTestId('embedding-map').getAttribute('data-points'))).toBe(
      ref.nTrain + testSize,
    );
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('map-export').click(),
    ]);
    const rows = readFileSync((await dl.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('path,class,split,tsne_x,tsne_y');
    expect(rows.length - 1).toBe(ref.nTrain + testSize);
    for (const r of rows.slice(1)) {
      const f = r.split(',');
      expect(['train', 'test']).toContain(f[2]);
      expect(Number.isFinite(Number(f[3])) && Number.isFinite(Number(f[4]))).toBe(true);
    }
    // Clicking a point (plotly's click event on the chart) shows its nearest neighbours with thumbnails.
    await page.evaluate(() =>
      (
        document.querySelector('[data-testid="embedding-map"]') as unknown as {
          emit(ev: string, d: unknown): void;
        }
      ).emit('plotly_click', { points: [{ customdata: 0 }] }),
    );
    await page.locator('[data-testid="neighbours"] figure').nth(7).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('neighbours').locator('strong').textContent()).toBe(
      rows[1].split(',')[0],
    );

    // PCA and UMAP maps of the same points.
    for (const method of ['pca', 'umap']) {
      await page.getByTestId('map-method').selectOption(method);
      await page.getByTestId('map-run').click();
      await page.waitForFunction(
        (m) => {
          const el = document.querySelector('[data-testid="map-status"]');
          return (
            el?.getAttribute('data-done') === 'true' &&
            el.textContent?.includes(m) &&
            !el.textContent.includes('optimising')
          );
        },
        method === 'pca' ? 'PCA' : 'UMAP',
        { timeout: 120_000 },
      );
      expect(Number(await page.getByTestId('embedding-map').getAttribute('data-points'))).toBe(
        ref.nTrain + testSize,
      );
    }
    await page.screenshot({ path: '/tmp/evaluate-panel.png', fullPage: true });
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it('misclassified details, linear probe equal to the engine, and an OOD dataset through the class map', async () => {
    const item = page.getByTestId('misclassified-item').first();
    if (await item.count()) {
      await item.click();
      const m = /true (\w+) \([\d.]+%\)\s*·\s*predicted (\w+) \(([\d.]+)%\)/.exec(
        (await page.getByTestId('misclassified-detail').textContent()) ?? '',
      );
      expect(m).not.toBeNull();
      expect(m?.[1]).not.toBe(m?.[2]);
    }

    await page.getByTestId('probe-iterations').fill('20');
    await page.getByTestId('probe-c').fill('1');
    await page.getByTestId('probe-run').click();
    await page.getByTestId('probe-metrics-accuracy').waitFor({ timeout: 120_000 });
    const probeShown = Number(
      await page.getByTestId('probe-metrics-accuracy').getAttribute('data-value'),
    );
    const probeEngine = await page.evaluate(async (runId) => {
      const engine = (window as unknown as { __simlab: { engine: EngineHandle } }).__simlab.engine;
      const r = await engine.evaluateProbe({ runId, slot: 'latest', maxIterations: 20, C: 1 });
      return { accuracy: r.accuracy, iterations: r.curves.length };
    }, runId);
    // L-BFGS is deterministic: the page's probe is the engine's, one curve point per iteration.
    expect(probeShown).toBe(probeEngine.accuracy);
    expect(probeEngine.iterations).toBeGreaterThan(0);
    expect(probeEngine.iterations).toBeLessThanOrEqual(20);
    expect(Number(await page.getByTestId('probe-loss').getAttribute('data-points'))).toBe(
      probeEngine.iterations,
    );

    // Fine-tuning from the checkpoint and from random init: two rows in the comparison table.
    await page.getByTestId('ft-epochs').fill('2');
    await page.getByTestId('ft-ssl').click();
    await page
      .locator('[data-testid="ft-table"] tr[data-init="ssl"]')
      .waitFor({ timeout: 180_000 });
    expect(Number(await page.getByTestId('ft-curve').getAttribute('data-points'))).toBe(2);
    await page.getByTestId('ft-random').click();
    await page
      .locator('[data-testid="ft-table"] tr[data-init="random"]')
      .waitFor({ timeout: 180_000 });
    const ft = await page.locator('[data-testid="ft-table"] tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        init: r.getAttribute('data-init'),
        acc: Number(r.getAttribute('data-final')),
      })),
    );
    expect(ft.map((r) => r.init)).toEqual(['ssl', 'random']);
    for (const r of ft) expect(r.acc >= 0 && r.acc <= 1).toBe(true);
    console.log(`fine-tuning 2 epochs: ${ft.map((r) => `${r.init} ${r.acc}`).join(', ')}`);

    // A second, textured shapes dataset evaluated out of distribution (class names match exactly).
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    const nums = page.locator('[data-testid="catalogue-shapes"] input[type="number"]');
    await nums.nth(0).fill('100');
    await nums.nth(1).fill('7');
    await page.locator('[data-testid="catalogue-shapes"] input[type="checkbox"]').check();
    await page.getByTestId('generate-shapes').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await page.getByTestId('eval-form').waitFor();
    const oodId = await page
      .getByTestId('eval-dataset')
      .locator('option')
      .nth(1)
      .getAttribute('value');
    await page.getByTestId('eval-dataset').selectOption(oodId as string);
    expect(await page.getByTestId('class-map-0').inputValue()).toBe('0');
    expect(await page.getByTestId('class-map-1').inputValue()).toBe('1');
    const oodTest = await page.evaluate(async (id) => {
      const engine = (window as unknown as { __simlab: { engine: EngineHandle } }).__simlab.engine;
      const idx = await engine.getDatasetIndex(id);
      let n = 0;
      for (let i = 0; i < idx.splits.length; i++)
        if (idx.splits[i] === 2 && idx.labels[i] >= 0) n++;
      return n;
    }, oodId as string);
    await page.getByTestId('knn-run').click();
    await page
      .locator(`[data-testid="knn-result-confusion"][data-total="${oodTest}"]`)
      .waitFor({ timeout: 120_000 });
    const oodShown = Number(
      await page.getByTestId('knn-result-accuracy').getAttribute('data-value'),
    );
    const oodEngine = await page.evaluate(
      async ({ runId, id }) => {
        const engine = (window as unknown as { __simlab: { engine: EngineHandle } }).__simlab
          .engine;
        return (
          await engine.evaluateKnn({
            runId,
            slot: 'latest',
            k: 20,
            temperature: 0.1,
            datasetId: id,
            classMap: [0, 1],
          })
        ).accuracy;
      },
      { runId, id: oodId as string },
    );
    expect(oodShown).toBe(oodEngine);
    console.log(
      `linear probe test accuracy ${probeShown}; OOD (textured shapes, ${oodTest} test images) kNN ${oodShown}`,
    );
    await page.screenshot({ path: '/tmp/evaluate-panel-2.png', fullPage: true });
  });

  it('comparison table (random / SSL / imported weights × probe / fine-tune), fine-tuning evolution slider, probe and fine-tune runs recorded', async () => {
    // The run's own checkpoint exported and imported back: an "imported weights" run of the same architecture.
    const fileName = await page.evaluate(async (runId) => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: {
              exportRunCheckpoint(
                id: string,
                slot: string,
              ): Promise<{ fileName: string; bytes: Uint8Array }>;
              importCheckpointFile(b: Uint8Array, n: string): Promise<unknown>;
            };
          };
        }
      ).__simlab.engine;
      const f = await engine.exportRunCheckpoint(runId, 'latest');
      await engine.importCheckpointFile(f.bytes, f.fileName);
      return f.fileName;
    }, runId);
    await page.getByRole('button', { name: 'Refresh runs' }).click();
    await page.getByTestId('eval-run').selectOption(runId);
    await page
      .locator('[data-testid="cmp-imported"] option', { hasText: fileName })
      .waitFor({ state: 'attached' });
    await page.getByTestId('cmp-imported').selectOption({ label: fileName });

    // Probe (SSL), fine-tunes (SSL, random) from the earlier buttons fill their cells; the button runs the 3 missing ones.
    const table = page.getByTestId('cmp-table');
    expect(
      await table
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-init'))),
    ).toEqual(['random', 'ssl', 'imported']);
    expect(await page.getByTestId('cmp-run').textContent()).toContain('3 missing');
    await page.getByTestId('cmp-run').click();
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('[data-testid="cmp-table"] tbody tr')];
        return (
          rows.length === 3 &&
          rows.every(
            (r) => r.getAttribute('data-probe') !== '' && r.getAttribute('data-finetune') !== '',
          ) &&
          !document.querySelector('[data-testid="cmp-progress"]')
        );
      },
      undefined,
      { timeout: 240_000 },
    );
    const cells = await table.locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        init: r.getAttribute('data-init'),
        label: r.querySelector('td')?.textContent ?? '',
        probe: Number(r.getAttribute('data-probe')),
        ft: Number(r.getAttribute('data-finetune')),
      })),
    );
    expect(cells[2].label).toContain(`imported weights (${fileName})`);
    for (const c of cells)
      expect(c.probe >= 0 && c.probe <= 1 && c.ft >= 0 && c.ft <= 1).toBe(true);
    // Imported weights = the same checkpoint: its linear probe equals the SSL row's (same embeddings, same probe).
    expect(cells[2].probe).toBe(cells[1].probe);
    console.log(
      `comparison (probe / fine-tune): ${cells.map((c) => `${c.init} ${c.probe.toFixed(3)} / ${c.ft.toFixed(3)}`).join('; ')}`,
    );

    // Every probe and fine-tune is a run in the store.
    const recorded = await page.evaluate(async () => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: {
              listRuns(): Promise<
                {
                  kind?: string;
                  evaluation?: { init: string; parentRunId: string } | null;
                  storage: { latest: number };
                  config: { method: { method: string } };
                }[]
              >;
            };
          };
        }
      ).__simlab.engine;
      return (await engine.listRuns())
        .filter((r) => r.kind === 'fine-tune' || r.kind === 'probe')
        .map((r) => ({
          kind: r.kind,
          init: r.evaluation?.init,
          parent: r.evaluation?.parentRunId,
          ckpt: r.storage.latest > 0,
          method: r.config.method.method,
        }));
    });
    const ft = recorded.filter((r) => r.kind === 'fine-tune');
    expect(ft.map((r) => r.init).sort()).toEqual(['imported', 'random', 'ssl']);
    for (const r of ft) expect(r.ckpt && r.method === 'supervised').toBe(true);
    expect(ft.filter((r) => r.init === 'ssl').every((r) => r.parent === runId)).toBe(true);
    expect(recorded.filter((r) => r.kind === 'probe').length).toBeGreaterThanOrEqual(4);

    // Evolution of the last fine-tune's snapshots (epochs 0, 1, 2): three maps; the slider switches the plotted layout.
    await page.getByTestId('evo-run').click();
    await page.locator('[data-testid="evo-status"][data-frames="3"]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(
      () =>
        !document.querySelector('[data-testid="evo-status"]')?.textContent?.includes('computing'),
      undefined,
      { timeout: 120_000 },
    );
    const plotted = () =>
      page.evaluate(() => {
        const el = document.querySelector('[data-testid="evo-map"]') as unknown as {
          data?: { x: number[] }[];
        };
        return (el.data ?? [])
          .flatMap((t) => t.x)
          .slice(0, 20)
          .join(',');
      });
    const setFrame = async (k: number) => {
      await page.getByTestId('evo-slider').evaluate((el, v) => {
        (el as HTMLInputElement).value = String(v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, k);
      await page.locator(`[data-testid="evo-status"][data-frame="${k}"]`).waitFor();
    };
    await setFrame(0);
    expect(await page.getByTestId('evo-status').getAttribute('data-epoch')).toBe('0');
    await page.waitForFunction(
      () =>
        (
          (document.querySelector('[data-testid="evo-map"]') as unknown as { data?: unknown[] })
            .data ?? []
        ).length > 0,
    );
    await page.waitForTimeout(300);
    const first = await plotted();
    await setFrame(2);
    expect(await page.getByTestId('evo-status').getAttribute('data-epoch')).toBe('2');
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector('[data-testid="evo-map"]') as unknown as {
          data?: { x: number[] }[];
        };
        return (
          (el.data ?? [])
            .flatMap((t) => t.x)
            .slice(0, 20)
            .join(',') !== before
        );
      },
      first,
      { timeout: 10_000 },
    );
    // Play runs through the stored maps from the start.
    await setFrame(0);
    await page.getByTestId('evo-play').click();
    await page.locator('[data-testid="evo-status"][data-frame="2"]').waitFor({ timeout: 10_000 });
    // Snapshot rows: every labelled train + test image of the run's dataset (≤ 2,000).
    const trainTest = await page.evaluate(async (runId) => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: {
              listRuns(): Promise<{ id: string; config: { dataset: { id: string } } }[]>;
              getDatasetIndex(id: string): Promise<{ splits: Uint8Array; labels: Int16Array }>;
            };
          };
        }
      ).__simlab.engine;
      const run = (await engine.listRuns()).find((r) => r.id === runId);
      const idx = await engine.getDatasetIndex(run?.config.dataset.id as string);
      return idx.splits.filter((s, i) => s !== 1 && idx.labels[i] >= 0).length;
    }, runId);
    expect(Number(await page.getByTestId('evo-map').getAttribute('data-points'))).toBe(trainTest);
    await page.getByTestId('evolution').screenshot({ path: '/tmp/evaluate-evolution.png' });
    await page.getByTestId('comparison').screenshot({ path: '/tmp/evaluate-comparison.png' });
    await context.close();
  });
});
