import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport, pickForImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { diskCounts, SHARED } from './datasets-on-disk';
import { storedDatasets, storedImages, storeKeys, type StoredDataset } from './idb';
import { maxAbsError, meanAbsError, referenceSquare } from './reference-decode';

const appUrl = inject('appUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launch();
  ({ context, page, errors } = await newPage(browser));
  // The heavy flows run on wasm: SwiftShader WebGPU is a CPU emulation (decoding does not use it).
  await openApp(page, appUrl, '?backend=wasm');
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

function expectCounts(ds: StoredDataset, name: string) {
  const disk = diskCounts(name);
  expect(ds.classes).toEqual(disk.classes);
  for (const [split, perClass] of Object.entries(disk.counts)) {
    const got = ds.counts[split as 'train' | 'val' | 'test'];
    disk.classes.forEach((c, i) => expect(got[i], `${name} ${split}/${c}`).toBe(perClass[c] ?? 0));
  }
  expect(ds.count).toBe(disk.files.length);
}

function pick20(n: number, seed: number): number[] {
  const out = new Set<number>();
  let x = seed;
  while (out.size < Math.min(20, n)) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.add(x % n);
  }
  return [...out];
}

/** Checks 20 random stored images against an independent Node decode of the same files. */
async function checkPixels(
  ds: StoredDataset,
  diskRoot: string,
  stripRoot: boolean,
  limit: { mean: number; max?: number },
) {
  const idx = pick20(ds.count, 7);
  const got = await storedImages(page, ds.id, idx);
  const errs: number[] = [];
  idx.forEach((i, k) => {
    const rel = stripRoot ? got.paths[i].split('/').slice(1).join('/') : got.paths[i];
    const ref = referenceSquare(join(diskRoot, rel), ds.size);
    const mae = meanAbsError(got.pixels[k], ref);
    errs.push(mae);
    expect(mae, `${rel}: mean abs error ${mae.toFixed(2)}`).toBeLessThanOrEqual(limit.mean);
    if (limit.max !== undefined)
      expect(maxAbsError(got.pixels[k], ref), rel).toBeLessThanOrEqual(limit.max);
  });
  return errs;
}

describe('dataset import in Chromium', () => {
  let clothing: StoredDataset;
  let trash: StoredDataset;

  it('imports ../shared/datasets/clothing-small as a folder with exact counts', async () => {
    await pickForImport(page, 'folder', join(SHARED, 'clothing-small'));
    expect(await page.getByTestId('layout').textContent()).toMatch(/split folders/);
    await commitImport(page, { name: 'clothing-small' });
    const text = await page.getByTestId('import-summary').textContent();
    expect(text).toMatch(/Imported 3,781 images/);
    clothing = (await storedDatasets(page)).find(
      (d) => d.name === 'clothing-small',
    ) as StoredDataset;
    expect(clothing.status).toBe('ready');
    expect(clothing.size).toBe(64);
    expectCounts(clothing, 'clothing-small');
    const errs = await checkPixels(clothing, join(SHARED, 'clothing-small'), true, { mean: 6 });
    console.log(
      `clothing-small 64 px: mean abs error vs Node decode, per image max ${Math.max(...errs).toFixed(2)}/255, avg ${(errs.reduce((a, b) => a + b, 0) / errs.length).toFixed(2)}/255`,
    );
  });

  it('imports a zip of ../shared/datasets/trashnet with exact counts and flags its duplicates', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const f of diskCounts('trashnet').files)
      files[`trashnet/${f}`] = readFileSync(join(SHARED, 'trashnet', f));
    const dir = mkdtempSync(join(tmpdir(), 'simlab-zip-'));
    const zipPath = join(dir, 'trashnet.zip');
    writeFileSync(zipPath, zipSync(files, { level: 0 }));
    await pickForImport(page, 'files', zipPath);
    await commitImport(page, { name: 'trashnet' });
    expect(await page.getByTestId('imported-count').textContent()).toBe('2,527');
    const dups = await page.getByTestId('duplicates').textContent();
    expect(dups).toMatch(/glass115\.jpg.*metal91\.jpg|metal91\.jpg.*glass115\.jpg/s);
    trash = (await storedDatasets(page)).find((d) => d.name === 'trashnet') as StoredDataset;
    expectCounts(trash, 'trashnet');
    await checkPixels(trash, join(SHARED, 'trashnet'), true, { mean: 6 });
  });

  it('stores cifar10-png at 32 px without resampling: pixels within 1/255', async () => {
    await pickForImport(page, 'folder', join(SHARED, 'cifar10-png'));
    // 32 px sources default to 32 (never upscaled).
    expect(await page.getByTestId('import-size').inputValue()).toBe('32');
    await commitImport(page, { name: 'cifar10-png' });
    const cifar = (await storedDatasets(page)).find(
      (d) => d.name === 'cifar10-png',
    ) as StoredDataset;
    expectCounts(cifar, 'cifar10-png');
    await checkPixels(cifar, join(SHARED, 'cifar10-png'), true, { mean: 1, max: 1 });
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
  });

  it('keeps both datasets after a reload, browsable, and delete frees them', async () => {
    await page.reload();
    await page.getByTestId('backend-name').waitFor();
    const items = page.getByTestId('dataset-item');
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(3);
    const names = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(names).toEqual(expect.arrayContaining(['clothing-small', 'trashnet', 'cifar10-png']));

    // Browse: pick trashnet, filter test/glass, thumbnails are drawn, lightbox shows the path.
    await items.filter({ hasText: 'trashnet' }).getByRole('button').first().click();
    await page.getByTestId('filter-split').selectOption('2');
    await page.getByTestId('filter-class').selectOption({ label: 'glass' });
    expect(await page.getByTestId('filtered-count').textContent()).toMatch(/^100 shown/);
    const firstCell = page.getByTestId('image-grid').locator('button.cell').first();
    await firstCell.waitFor();
    await expect
      .poll(() =>
        firstCell.locator('canvas').evaluate((c: HTMLCanvasElement) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let distinct = new Set<number>();
          for (let i = 0; i < d.length; i += 4)
            distinct.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
          return distinct.size;
        }),
      )
      .toBeGreaterThan(50);
    await firstCell.click();
    expect(await page.getByTestId('lightbox-path').textContent()).toMatch(
      /^trashnet\/test\/glass\/.+\.jpg$/,
    );
    await page.keyboard.press('Escape');

    // Delete trashnet: its records are gone from IndexedDB.
    page.once('dialog', (d) => d.accept());
    await items.filter({ hasText: 'trashnet' }).getByTestId('delete-dataset').click();
    await expect
      .poll(async () => (await storeKeys(page)).filter((k) => k.includes(trash.id)).length)
      .toBe(0);
    page.once('dialog', (d) => d.accept());
    await items.filter({ hasText: 'clothing-small' }).getByTestId('delete-dataset').click();
    await expect
      .poll(async () => (await storeKeys(page)).filter((k) => k.includes(clothing.id)).length)
      .toBe(0);
    expect((await storedDatasets(page)).map((d) => d.name)).toEqual(['cifar10-png']);
    expect(errors).toEqual([]);
  });
});
