import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport, pickForImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { SHARED } from './datasets-on-disk';
import { storedDatasets } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  ({ context, page } = await newPage(browser));
  await openApp(page, appUrl, '?backend=wasm');
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/**
 * A flat folder shaped like the clothing dataset's own images.csv: columns image,sender_id,label,kids
 * plus a derived `fold` column, file names without extensions, "Not sure" and "Skip" labels, a row
 * naming a missing file and an image with no row.
 */
function messyCsvFolder(): { dir: string; expected: Record<string, Record<string, number>> } {
  const dir = join(mkdtempSync(join(tmpdir(), 'simlab-csv-')), 'clothes-flat');
  mkdirSync(dir);
  const lines = ['image,sender_id,label,kids,fold'];
  const expected: Record<string, Record<string, number>> = { train: {}, val: {}, test: {} };
  const foldSplit = ['train', 'train', 'train', 'val', 'test'];
  let row = 0;
  for (const cls of ['dress', 'hat', 'pants']) {
    const src = join(SHARED, 'clothing-small', 'train', cls);
    for (const f of readdirSync(src).slice(0, 10)) {
      copyFileSync(join(src, f), join(dir, f));
      const id = f.replace(/\.jpg$/, '');
      const fold = row % 5;
      const label = cls === 'Dress'.toLowerCase() && row % 10 === 9 ? 'Not sure' : cls;
      lines.push(
        `${id},${100 + row},${label === 'Not sure' ? 'Not sure' : cls === 'hat' && row % 10 === 8 ? 'Skip' : cls[0].toUpperCase() + cls.slice(1)},False,${fold}`,
      );
      row++;
    }
  }
  // Count what should be imported: labels other than Not sure / Skip, split by fold.
  for (const l of lines.slice(1)) {
    const [, , label, , fold] = l.split(',');
    if (label === 'Not sure' || label === 'Skip') continue;
    const s = foldSplit[Number(fold)];
    expected[s][label] = (expected[s][label] ?? 0) + 1;
  }
  lines.push('ffffffff-0000-0000-0000-000000000000,999,Dress,False,0'); // names a missing file
  copyFileSync(
    join(
      SHARED,
      'clothing-small',
      'train',
      'shirt',
      readdirSync(join(SHARED, 'clothing-small', 'train', 'shirt'))[0],
    ),
    join(dir, 'no-row.jpg'),
  );
  writeFileSync(join(dir, 'images.csv'), lines.join('\n') + '\n');
  return { dir, expected };
}

describe('flat folder with a messy CSV of labels', () => {
  it('picks columns, excludes labels, maps folds to splits, and reports missing files and rowless images', async () => {
    const { dir, expected } = messyCsvFolder();
    await pickForImport(page, 'folder', dir);
    expect(await page.getByTestId('layout').textContent()).toMatch(/CSV of labels/);
    const editor = page.getByTestId('csv-editor');
    await editor.waitFor();
    expect(await page.getByTestId('csv-file-col').inputValue()).toBe('image');
    expect(await page.getByTestId('csv-label-col').inputValue()).toBe('label');
    expect(await page.getByTestId('csv-fold-col').inputValue()).toBe('fold');
    for (const label of ['Not sure', 'Skip']) {
      await editor.locator('label.chip', { hasText: label }).locator('input').uncheck();
    }
    await page.getByRole('radio', { name: /from the CSV's folds/ }).check();
    // Folds 0–4: the suggested mapping puts 4 in test and 3 in val; keep it.
    await page.getByTestId('fold-editor').waitFor();
    await commitImport(page, { name: 'clothes-csv' });
    const ds = (await storedDatasets(page)).find((d) => d.name === 'clothes-csv');
    expect(ds?.classes).toEqual(['Dress', 'Hat', 'Pants']);
    for (const s of ['train', 'val', 'test'] as const) {
      ds?.classes.forEach((c, i) => expect(ds.counts[s][i], `${s}/${c}`).toBe(expected[s][c] ?? 0));
    }
    const report = (await page.getByTestId('import-report').textContent()) ?? '';
    expect(report).toMatch(/1 rows name files that are not in the drop; 1 images have no row/);
    expect(report).toMatch(/no-row\.jpg.*no row in the CSV/s);
  });
});
