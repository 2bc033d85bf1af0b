import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateShapes, trainTiny } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { storedDatasets, storedRuns as storedRunRecords } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

interface StoredRun {
  id: string;
  name: string;
  status: string;
  config: { dataset: { id: string; fingerprint: string } };
  final: { knnTop1?: number; epoch: number } | null;
  curves: { steps: unknown[]; epochs: { epoch: number; knnTop1?: number }[] };
  storage: { latest: number; best: number };
}

type EvalEngine = {
  evaluateProbe(
    req: object,
  ): Promise<{ recordedRunId?: string; accuracy: number; macroF1: number }>;
  fineTune(req: object): Promise<{ recordedRunId?: string; final: { testAccuracy: number } }>;
};
type Engine = {
  knnOfRun(
    runId: string,
    slot?: string,
  ): Promise<{ knnTop1: number | null; queries: number; bank: number }>;
};
function knnOfRun(page: Page, runId: string) {
  return page.evaluate(
    (id) => (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine.knnOfRun(id),
    runId,
  );
}

/** Writes run records straight into the run store (as the Evaluate panel stores probe and fine-tune runs). */
function putRunRecords(page: Page, records: object[]) {
  return page.evaluate(
    (rs) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('simlab-runs');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          for (const r of rs as { id: string }[]) tx.objectStore('kv').put(r, `run/${r.id}`);
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    records,
  );
}

async function openRuns(page: Page) {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByTestId('runs-panel').waitFor();
}

describe('runs: checkpoint files, import, comparison', () => {
  let file = '';
  let original: StoredRun;
  let originalKnn = 0;

  it('exports a trained run as a checkpoint zip whose kNN the engine reproduces', async () => {
    const { context, page } = await newPage(browser);
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 200);
    await trainTiny(page, 1);
    await openRuns(page);
    await page.getByTestId('run-row').first().waitFor();
    [original] = await storedRunRecords<StoredRun>(page);
    expect(original.status).toBe('finished');
    expect(original.final?.knnTop1).toBeTypeOf('number');
    // The stored checkpoint measured again on the run's own monitor plan gives the training figure.
    const again = await knnOfRun(page, original.id);
    expect(again.knnTop1).toBe(original.final?.knnTop1);
    originalKnn = again.knnTop1 as number;

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('run-export-ckpt').first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-epoch1\.simlab\.zip$/);
    file = `${await download.path()}.simlab.zip`;
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes[0]).toBe(0x50);
    console.log(
      `checkpoint ${download.suggestedFilename()}: ${bytes.length} bytes; ${await page.getByTestId('runs-export-info').textContent()}`,
    );

    // Config JSON export: the run's config as it is stored.
    const [cfgDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('run-export-config').first().click(),
    ]);
    const cfg = JSON.parse(readFileSync((await cfgDl.path()) as string, 'utf8'));
    expect(cfg.dataset.fingerprint).toBe(original.config.dataset.fingerprint);

    // A linear probe and a fine-tune made by the Evaluate engine are recorded runs: the list shows
    // their kind, the run they evaluated and their test figures.
    const evals = await page.evaluate(async (runId) => {
      const e = (window as unknown as { __simlab: { engine: EvalEngine } }).__simlab.engine;
      const p = await e.evaluateProbe({ runId, slot: 'latest', maxIterations: 30 });
      const f = await e.fineTune({
        runId,
        slot: 'latest',
        init: 'ssl',
        epochs: 1,
        learningRate: 0.001,
        batchSize: 32,
        seed: 0,
        snapshotEvery: 0,
      });
      return {
        probe: { id: p.recordedRunId, acc: p.accuracy, f1: p.macroF1 },
        ft: { id: f.recordedRunId, acc: f.final.testAccuracy },
      };
    }, original.id);
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await openRuns(page);
    await page.getByTestId('run-row').nth(2).waitFor();
    const probeRow = page.locator(`[data-testid="run-row"][data-run-id="${evals.probe.id}"]`);
    const ftRow = page.locator(`[data-testid="run-row"][data-run-id="${evals.ft.id}"]`);
    expect(await probeRow.getAttribute('data-kind')).toBe('probe');
    expect(await ftRow.getAttribute('data-kind')).toBe('fine-tune');
    expect(Number(await probeRow.getByTestId('run-test-acc').getAttribute('data-value'))).toBe(
      evals.probe.acc,
    );
    expect(Number(await probeRow.getByTestId('run-macro-f1').getAttribute('data-value'))).toBe(
      evals.probe.f1,
    );
    expect(Number(await ftRow.getByTestId('run-test-acc').getAttribute('data-value'))).toBe(
      evals.ft.acc,
    );
    expect(await ftRow.getByTestId('run-parent').textContent()).toContain(original.name);
    for (const i of [0, 1, 2])
      await page.getByTestId('run-row').nth(i).getByTestId('run-select').check();
    await page.getByTestId('compare-view').waitFor();
    // Training loss per epoch of all three; kNN; probe and 1-epoch fine-tune: train acc + their single test point each.
    expect(await page.getByTestId('compare-epoch-loss').getAttribute('data-traces')).toBe('3');
    expect(await page.getByTestId('compare-acc').getAttribute('data-traces')).toBe('5');
    await page.waitForTimeout(800);
    await page.screenshot({ path: '/tmp/runs-recorded-kinds.png', fullPage: true });
    await context.close();
  });

  it('imports the file into a fresh browser profile (same images regenerated): same kNN; bad files change nothing; compare shows both runs', async () => {
    // A fresh context has no runs at all; the dataset is regenerated (same seed → same images, new id).
    const { context, page } = await newPage(browser);
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 200);
    await openRuns(page);
    await page.getByTestId('runs-empty').waitFor();
    expect(await storedRunRecords<StoredRun>(page)).toEqual([]);

    await page.getByTestId('runs-import-input').setInputFiles(file);
    const result = page.getByTestId('runs-import-result');
    await result.waitFor({ timeout: 60_000 });
    console.log(`import: ${await result.locator('p').first().textContent()}`);
    const runs = await storedRunRecords<StoredRun>(page);
    expect(runs.length).toBe(1);
    const imported = runs[0];
    expect(imported.id).not.toBe(original.id);
    expect(imported.status).toBe('finished');
    expect(imported.storage.latest).toBeGreaterThan(0);
    expect(imported.config.dataset.fingerprint).toBe(original.config.dataset.fingerprint);
    expect(imported.curves.epochs).toEqual(original.curves.epochs);
    expect(imported.final?.knnTop1).toBe(original.final?.knnTop1);
    const knn = await knnOfRun(page, imported.id);
    expect(knn.knnTop1).toBe(originalKnn);

    // A truncated zip: a clear error, and the stored runs are as they were.
    const bytes = readFileSync(file);
    await page.getByTestId('runs-import-input').setInputFiles({
      name: 'broken.simlab.zip',
      mimeType: 'application/zip',
      buffer: bytes.subarray(0, Math.floor(bytes.length / 2)),
    });
    await page.getByTestId('runs-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('runs-error').textContent()).toMatch(/truncated or corrupt/);
    expect(await storedRunRecords<StoredRun>(page)).toEqual(runs);
    // A legacy (pre-1.6) PyTorch pickle dropped onto the panel: it asks for the dataset like any
    // weights file, then refuses the file with the one-line re-save recipe (the app stays on Runs).
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e])], 'model.pth'));
      const zone = document.querySelector('[data-testid="runs-import"]') as HTMLElement;
      zone.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
      zone.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    });
    await page.getByTestId('weights-dataset').waitFor();
    await page.getByTestId('weights-import').click();
    await page.waitForFunction(() =>
      /legacy \(pre-1\.6\) format.*torch\.save\(torch\.load/s.test(
        document.querySelector('[data-testid="runs-error"]')?.textContent ?? '',
      ),
    );
    expect(await page.getByTestId('runs-panel').count()).toBe(1);
    expect((await storedRunRecords<StoredRun>(page)).length).toBe(1);

    // An invalid config JSON lists each problem with its path.
    await page.getByTestId('config-import-input').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({ ...JSON.parse(JSON.stringify(imported.config)), epochs: 0, batchSize: 1 }),
      ),
    });
    const problems = page.getByTestId('config-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(/epochs/);
    expect(await problems.textContent()).toMatch(/batchSize/);

    // "Continue training" of a finished import trains a new run from its weights in the Train panel.
    await page.getByTestId('runs-import-input').setInputFiles(file);
    await page.getByTestId('runs-import-result').waitFor();
    await page.getByTestId('import-choice-continue').click();
    await page.getByTestId('train-form').waitFor();
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('train-message').textContent()).toMatch(/Finished after 1 epoch/);
    expect(
      JSON.parse((await page.getByTestId('train-config-json').textContent()) ?? '{}').backbone
        .width,
    ).toBe(8);

    await openRuns(page);
    await page.getByTestId('run-row').nth(2).waitFor();
    const all = await storedRunRecords<StoredRun>(page);
    expect(all.length).toBe(3);
    const seeded = all.find((r) => r.name.endsWith('(continued)'));
    expect(seeded?.status).toBe('finished');
    // Its epoch 0 (before any step) is measured on the imported weights: the original's final kNN.
    expect(seeded?.curves.epochs.find((p) => p.epoch === 0)?.knnTop1).toBe(originalKnn);
    // "Evaluate" is recorded and opens the Evaluate panel on the imported run.
    const importedId = await page.getByTestId('runs-import-result').getAttribute('data-run-id');
    await page.getByTestId('import-choice-evaluate').click();
    await page.getByTestId('eval-form').waitFor();
    await page.waitForFunction(
      (id) =>
        (document.querySelector('[data-testid="eval-run"]') as HTMLSelectElement | null)?.value ===
        id,
      importedId,
    );
    await openRuns(page);
    expect(await page.getByTestId('import-choice').textContent()).toBe('chosen: evaluate');
    // Rename, then delete the second import (frees its storage).
    const rows = page.getByTestId('run-row');
    await rows.nth(1).getByTestId('run-rename').click();
    await page.getByTestId('run-name-input').fill('second import');
    await page.getByTestId('run-name-input').press('Enter');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="run-name"]')].some(
        (e) => e.textContent === 'second import',
      ),
    );
    page.once('dialog', (d) => void d.accept());
    await rows.nth(1).getByTestId('run-delete').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-row"]').length === 2,
    );
    expect((await storedRunRecords<StoredRun>(page)).map((r) => r.name)).not.toContain(
      'second import',
    );

    // Compare the new run with the imported one: two traces in each chart, the HTML report has both.
    for (const i of [0, 1])
      await page.getByTestId('run-row').nth(i).getByTestId('run-select').check();
    await page.getByTestId('compare-view').waitFor();
    expect(await page.getByTestId('compare-loss').getAttribute('data-traces')).toBe('2');
    expect(await page.getByTestId('compare-acc').getAttribute('data-traces')).toBe('2');
    await page.screenshot({ path: '/tmp/runs-compare.png', fullPage: true });
    const [rep] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-export').click(),
    ]);
    const html = readFileSync((await rep.path()) as string, 'utf8');
    expect(html.match(/<polyline class="trace"/g)?.length).toBe(4);
    expect(html).not.toMatch(/(src|href)=/);
    expect(html).not.toMatch(/<script/);
    await context.close();
  });

  it('a ResNet-18 run exports a torchvision .safetensors (also inside the zip) that imports back with the same kNN', async () => {
    const { context, page } = await newPage(browser);
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 200);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByTestId('train-backbone').waitFor();
    await page.getByTestId('train-backbone').selectOption('resnet18');
    const width = page
      .locator('fieldset:has(legend:text-is("Backbone")) input[type="number"]')
      .first();
    await width.fill('8');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-batch').fill('32');
    await page.waitForTimeout(400);
    expect(
      JSON.parse((await page.getByTestId('train-config-json').textContent()) ?? '{}').backbone,
    ).toMatchObject({ name: 'resnet18', width: 8 });
    await page.getByTestId('train-start').click();
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    await openRuns(page);
    const [run] = await storedRunRecords<StoredRun>(page);

    const [zipDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('run-export-ckpt').first().click(),
    ]);
    const zip = unzipSync(readFileSync((await zipDl.path()) as string));
    expect(Object.keys(zip)).toContain('extra/backbone.safetensors');
    expect(JSON.parse(strFromU8(zip['manifest.json'])).extra).toEqual(['backbone.safetensors']);

    const [stDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('run-export-st').first().click(),
    ]);
    expect(stDl.suggestedFilename()).toMatch(/-epoch1-resnet18\.safetensors$/);
    const st = readFileSync((await stDl.path()) as string);
    const headerLen = Number(st.readBigUInt64LE(0));
    const header = JSON.parse(st.subarray(8, 8 + headerLen).toString('utf8'));
    expect(header['conv1.weight'].shape).toEqual([8, 3, 3, 3]);
    expect(header['layer4.1.bn2.running_var'].shape).toEqual([64]);
    // The file inside the zip is the same state_dict.
    expect(
      Buffer.from(zip['extra/backbone.safetensors'])
        .subarray(8 + headerLen)
        .equals(st.subarray(8 + headerLen)),
    ).toBe(true);
    console.log(
      `resnet18 w8: zip ${zipDl.suggestedFilename()}, .safetensors ${st.length} bytes; ${await page.getByTestId('runs-export-info').textContent()}`,
    );

    // Weights only: the panel asks for the labelled dataset first (two are stored: pick the run's).
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await generateShapes(page, 40);
    await openRuns(page);
    await page.getByTestId('runs-import-input').setInputFiles({
      name: 'weights.safetensors',
      mimeType: 'application/octet-stream',
      buffer: st,
    });
    await page.getByTestId('weights-dataset').waitFor();
    expect(await page.getByTestId('weights-dataset').textContent()).toMatch(
      /needs a labelled dataset/,
    );
    expect(await page.getByTestId('weights-dataset-select').locator('option').count()).toBe(2);
    expect((await storedRunRecords<StoredRun>(page)).length).toBe(1);
    await page.getByTestId('runs-import').screenshot({ path: '/tmp/runs-weights-picker.png' });
    await page.getByTestId('weights-dataset-select').selectOption(run.config.dataset.id);
    await page.getByTestId('weights-import').click();
    await page.getByTestId('runs-import-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-format').textContent()).toBe('torchvision .safetensors');
    const imported = (await storedRunRecords<StoredRun>(page)).find((r) => r.id !== run.id);
    expect(imported?.config).toMatchObject({
      dataset: { id: run.config.dataset.id },
      backbone: { name: 'resnet18', width: 8, stem: 'cifar' },
    });
    // The list marks it as imported weights, with its file and format.
    const row = page.locator(`[data-testid="run-row"][data-run-id="${imported!.id}"]`);
    expect(await row.getByTestId('run-imported').count()).toBe(1);
    expect(await row.getByTestId('run-imported-from').textContent()).toBe(
      'from weights.safetensors · torchvision .safetensors',
    );
    expect(await row.getByTestId('run-status').textContent()).toBe('weights only');
    // Same defaults (seed, monitor, augmentation) → the same monitor plan: the same kNN figure.
    const a = await knnOfRun(page, run.id);
    const b = await knnOfRun(page, imported!.id);
    expect(a.knnTop1).toBe(run.final?.knnTop1);
    expect(b.knnTop1).toBe(a.knnTop1);

    // A PyTorch .pth (torch 1.13's torch.save of a torchvision resnet18 state_dict) imports the same
    // way; a .pth whose pickle calls os.system is refused, naming it, and stores nothing.
    const fixtures = new URL('../reference/fixtures/', import.meta.url);
    const before = (await storedRunRecords<StoredRun>(page)).length;
    await page.getByTestId('runs-import-input').setInputFiles({
      name: 'evil.pth',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(new URL('pth_os_system.pth', fixtures)),
    });
    await page.getByTestId('weights-dataset-select').selectOption(run.config.dataset.id);
    await page.getByTestId('weights-import').click();
    await page.waitForFunction(() =>
      /refused: the file's pickle names os\.system/.test(
        document.querySelector('[data-testid="runs-error"]')?.textContent ?? '',
      ),
    );
    expect((await storedRunRecords<StoredRun>(page)).length).toBe(before);
    await page.getByTestId('runs-import-input').setInputFiles({
      name: 'resnet18.pth',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(new URL('pth_resnet18_cifar.pth', fixtures)),
    });
    await page.getByTestId('weights-dataset-select').selectOption(run.config.dataset.id);
    await page.getByTestId('weights-import').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="import-format"]')?.textContent === 'PyTorch .pth',
      null,
      { timeout: 60_000 },
    );
    expect(await page.getByTestId('runs-import-result').textContent()).toMatch(
      /took the state_dict/,
    );
    const fromPth = (await storedRunRecords<StoredRun>(page)).find(
      (r) => r.id !== run.id && r.id !== imported!.id,
    );
    expect(fromPth?.config).toMatchObject({
      backbone: { name: 'resnet18', width: 4, stem: 'cifar' },
    });
    expect((await knnOfRun(page, fromPth!.id)).knnTop1).toBeTypeOf('number');
    await page.getByTestId('runs-import').screenshot({ path: '/tmp/runs-pth-import.png' });
    await context.close();
  });

  it('links an import whose dataset is missing to one with the same classes; probe and fine-tune runs show kind, parent and test figures, filter, compare and delete', async () => {
    const { context, page } = await newPage(browser);
    await openApp(page, appUrl, '?backend=wasm');
    await generateShapes(page, 120); // the same classes, other images: not the run's dataset
    await openRuns(page);
    await page.getByTestId('runs-import-input').setInputFiles(file);
    await page.getByTestId('runs-import-result').waitFor({ timeout: 60_000 });
    await page.getByTestId('relink').waitFor();
    expect(await page.getByTestId('import-choice-evaluate').isDisabled()).toBe(true);
    const [ds] = await storedDatasets(page);
    expect(await page.getByTestId('relink-select').inputValue()).toBe(ds.id);
    await page.getByTestId('relink-button').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="relink"]'));
    expect(await page.getByTestId('import-choice-evaluate').isDisabled()).toBe(false);
    const [parent] = await storedRunRecords<
      StoredRun & { config: { dataset: { id: string; name: string } } }
    >(page);
    expect(parent.config.dataset).toMatchObject({
      id: ds.id,
      fingerprint: (ds as unknown as { fingerprint: string }).fingerprint,
    });
    expect(parent.curves.epochs).toEqual(original.curves.epochs);
    expect((await knnOfRun(page, parent.id)).knnTop1).toBeTypeOf('number');
    const parentRow = page.locator(`[data-testid="run-row"][data-run-id="${parent.id}"]`);
    expect(await parentRow.getByTestId('run-imported-from').textContent()).toMatch(
      /simlab checkpoint zip · linked to/,
    );
    expect(await parentRow.getByTestId('run-status').textContent()).toBe('imported');

    // A linear probe and a fine-tune of it, as the Evaluate panel records them.
    const base = {
      ...parent,
      schemaVersion: 1,
      status: 'finished',
      createdAt: Date.now(),
      updatedAt: Date.now(),
      endedAt: Date.now(),
      error: null,
      storage: { latest: 0, best: 0 },
    };
    const evaluation = {
      parentRunId: parent.id,
      parentSlot: 'latest',
      parentName: parent.name,
      init: 'ssl',
      datasetId: ds.id,
      querySplit: 'test',
      testMacroF1: 0.5,
    };
    const probe = {
      ...base,
      id: 'probe-1',
      name: 'probe run',
      kind: 'probe',
      evaluation: { ...evaluation, testAccuracy: 0.625, trainAccuracy: 0.7 },
      curves: {
        steps: [],
        epochs: [1, 2, 3].map((e) => ({
          epoch: e,
          step: e * 2,
          trainLoss: 1 / e,
          trainAcc: 0.5 + e / 10,
          ...(e === 3 ? { testAcc: 0.625, testMacroF1: 0.5 } : {}),
        })),
      },
      final: { epoch: 3, step: 0, trainLoss: 0.33, best: null },
    };
    const ft = {
      ...base,
      id: 'ft-1',
      name: 'fine-tune run',
      kind: 'fine-tune',
      evaluation: { ...evaluation, testAccuracy: 0.75 },
      curves: {
        steps: [],
        epochs: [1, 2].map((e) => ({
          epoch: e,
          step: e * 4,
          trainLoss: 2 / e,
          testAcc: 0.5 + e / 8,
          testMacroF1: 0.4 + e / 8,
        })),
      },
      final: { epoch: 2, step: 8, trainLoss: 1, best: null },
    };
    await putRunRecords(page, [probe, ft]);
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await openRuns(page);
    await page.getByTestId('run-row').nth(2).waitFor();
    const kinds = await page
      .getByTestId('run-row')
      .evaluateAll((rows) =>
        rows.map((r) => `${(r as HTMLElement).dataset.runId}:${(r as HTMLElement).dataset.kind}`),
      );
    expect(kinds.sort()).toEqual([`${parent.id}:train`, 'ft-1:fine-tune', 'probe-1:probe'].sort());
    const probeRow = page.locator('[data-testid="run-row"][data-run-id="probe-1"]');
    expect(await probeRow.getByTestId('run-kind').textContent()).toBe('linear probe');
    expect(await probeRow.getByTestId('run-parent').textContent()).toContain(parent.name);
    expect(await probeRow.getByTestId('run-test-acc').getAttribute('data-value')).toBe('0.625');
    expect(await probeRow.getByTestId('run-macro-f1').textContent()).toBe('50.0 %');
    await page.getByTestId('runs-filter-kind').selectOption('fine-tune');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-row"]').length === 1,
    );
    expect(await page.getByTestId('run-row').getAttribute('data-run-id')).toBe('ft-1');
    await page.getByTestId('runs-filter-kind').selectOption('');
    await page.getByTestId('run-row').nth(2).waitFor();

    // Compared together: per-epoch losses of all three; kNN, the probe's train acc curve and final test
    // point, the fine-tune's test acc and macro-F1 curves.
    for (const id of [parent.id, 'probe-1', 'ft-1'])
      await page
        .locator(`[data-testid="run-row"][data-run-id="${id}"]`)
        .getByTestId('run-select')
        .check();
    await page.getByTestId('compare-view').waitFor();
    expect(await page.getByTestId('compare-epoch-loss').getAttribute('data-traces')).toBe('3');
    expect(await page.getByTestId('compare-acc').getAttribute('data-traces')).toBe('5');
    expect(await page.getByTestId('compare-metrics').textContent()).toMatch(
      /test accuracy.*62\.50 %.*75\.00 %/s,
    );
    await page.waitForTimeout(800); // plotly draws after its throttle
    await page.screenshot({ path: '/tmp/runs-kinds.png', fullPage: true });

    // Deleting the probe removes only its record.
    page.once('dialog', (d) => void d.accept());
    await probeRow.getByTestId('run-delete').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-row"]').length === 2,
    );
    expect((await storedRunRecords<StoredRun>(page)).map((r) => r.id).sort()).toEqual(
      [parent.id, 'ft-1'].sort(),
    );
    // A fine-tune row opens the run it fine-tuned in the Evaluate panel.
    await page
      .locator('[data-testid="run-row"][data-run-id="ft-1"]')
      .getByTestId('run-open-parent')
      .click();
    await page.getByTestId('eval-form').waitFor();
    await page.waitForFunction(
      (id) =>
        (document.querySelector('[data-testid="eval-run"]') as HTMLSelectElement | null)?.value ===
        id,
      parent.id,
    );
    await openRuns(page);

    // A valid config JSON from the first profile (its dataset is not stored here) fills the Train form
    // with its settings on a stored dataset of the same size, and says so.
    const cfg = { ...JSON.parse(JSON.stringify(original.config)), epochs: 7, name: 'from json' };
    await page.getByTestId('config-import-input').setInputFiles({
      name: 'kept.config.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(cfg)),
    });
    await page.getByTestId('train-form').waitFor();
    await page.getByTestId('train-message').waitFor();
    expect(await page.getByTestId('train-message').textContent()).toMatch(
      /Config loaded from kept\.config\.json: its dataset “shapes-200-seed1” is not stored here: the form uses “shapes-120-seed1”/,
    );
    expect(await page.getByTestId('train-epochs').inputValue()).toBe('7');
    expect(await page.getByTestId('train-dataset').inputValue()).toBe(ds.id);
    const formConfig = JSON.parse(
      (await page.getByTestId('train-config-json').textContent()) ?? '{}',
    );
    expect(formConfig).toMatchObject({
      name: 'from json',
      epochs: 7,
      dataset: { id: ds.id },
      backbone: { name: 'convnet', width: 8 },
    });
    expect(await page.getByTestId('train-problems').count()).toBe(0);
    await page.screenshot({ path: '/tmp/runs-config-train.png' });
    await context.close();
  });
});
