import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { SHARED } from './datasets-on-disk';
import { storedDatasets } from './idb';
import { serveDir, type Served } from './server';

const appUrl = inject('appUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
let withCors: Served;
let withoutCors: Served;
let expected = 0;

beforeAll(async () => {
  // An ImageFolder zip on two other origins (other ports of 127.0.0.1): one sends CORS headers.
  const dir = mkdtempSync(join(tmpdir(), 'simlab-remote-'));
  const files: Record<string, Uint8Array> = {};
  for (const c of ['hat', 'skirt']) {
    for (const f of readdirSync(join(SHARED, 'clothing-small', 'test', c))) {
      files[`remote-clothes/${c}/${f}`] = readFileSync(
        join(SHARED, 'clothing-small', 'test', c, f),
      );
      expected++;
    }
  }
  writeFileSync(join(dir, 'remote-clothes.zip'), zipSync(files));
  withCors = await serveDir(dir, { cors: true });
  withoutCors = await serveDir(dir, { cors: false });
  browser = await launch();
  ({ context, page } = await newPage(browser));
  await openApp(page, appUrl, '?backend=wasm');
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await withCors?.close();
  await withoutCors?.close();
});

describe('remote datasets by URL (only when the user asks)', () => {
  it('downloads with progress from a server that allows CORS, then imports', async () => {
    await page.getByTestId('url-input').fill(`${withCors.url}/remote-clothes.zip`);
    await page.getByTestId('url-download').click();
    await page.getByTestId('import-review').waitFor({ timeout: 60_000 });
    await commitImport(page);
    expect(await page.getByTestId('imported-count').textContent()).toBe(String(expected));
    const ds = (await storedDatasets(page)).find((d) => d.name === 'remote-clothes');
    expect(ds?.classes).toEqual(['hat', 'skirt']);
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
  });

  it('explains what to do when the server does not allow it', async () => {
    await page.getByTestId('url-input').fill(`${withoutCors.url}/remote-clothes.zip`);
    await page.getByTestId('url-download').click();
    const err = page.getByTestId('data-error');
    await err.waitFor({ timeout: 60_000 });
    expect(await err.textContent()).toMatch(
      /does not allow downloads from other sites.*Download it yourself, then drop the file here/s,
    );
  });

  it('loads the bundled clothing sample served by the app itself', async () => {
    await page.getByTestId('load-clothing-sample').click();
    await page.getByTestId('import-review').waitFor({ timeout: 60_000 });
    await commitImport(page);
    expect(await page.getByTestId('imported-count').textContent()).toBe('300');
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
  });

  it('generates the seeded shapes dataset', async () => {
    await page.getByTestId('generate-shapes').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('imported-count').textContent()).toBe('2,000');
    const ds = (await storedDatasets(page)).find((d) => d.name.startsWith('shapes-2000'));
    expect(ds?.classes).toEqual(['circle', 'square']);
    expect(ds?.size).toBe(32);
  });
});
