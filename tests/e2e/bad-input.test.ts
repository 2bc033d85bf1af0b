import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitImport, pickForImport } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { SHARED } from './datasets-on-disk';
import { storedDatasets, storeKeys } from './idb';

const appUrl = inject('appUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  browser = await launch();
  ({ context, page } = await newPage(browser));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await openApp(page, appUrl, '?backend=wasm');
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function pngChunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid-looking PNG that declares 20000×20000 pixels (would need 1.6 GB decoded). */
function hugePng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0);
  ihdr.writeUInt32BE(20000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(20001 * 4))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

const GOOD_NAMES = [
  '<img src=x onerror=alert(1)>.jpg',
  'with spaces (1).jpg',
  'ünïcødé 猫.jpg',
  '(parens).png',
  'dup-a.jpg',
  'dup-b.jpg',
];
const BAD = {
  'empty.jpg': /empty/i,
  'notes.jpg': /text/i,
  'truncated.jpg': /truncated/i,
  'scan.tiff': /unsupported/i,
  'huge.png': /too large/i,
};

function plantFolder(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'simlab-bad-')), 'planted');
  mkdirSync(join(root, '__MACOSX'), { recursive: true });
  const jpgDir = join(SHARED, 'clothing-small', 'train', 'hat');
  const jpgs = readdirSync(jpgDir)
    .slice(0, 4)
    .map((f) => join(jpgDir, f));
  const png = join(
    SHARED,
    'cifar10-png',
    'train',
    'cat',
    readdirSync(join(SHARED, 'cifar10-png', 'train', 'cat'))[0],
  );
  copyFileSync(jpgs[0], join(root, GOOD_NAMES[0]));
  copyFileSync(jpgs[1], join(root, GOOD_NAMES[1]));
  copyFileSync(jpgs[2], join(root, GOOD_NAMES[2]));
  copyFileSync(png, join(root, GOOD_NAMES[3]));
  copyFileSync(jpgs[3], join(root, 'dup-a.jpg'));
  copyFileSync(jpgs[3], join(root, 'dup-b.jpg'));
  writeFileSync(join(root, 'empty.jpg'), '');
  writeFileSync(join(root, 'notes.jpg'), 'These are my notes, not a photo.\nSecond line.\n');
  const whole = readFileSync(jpgs[0]);
  writeFileSync(join(root, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length / 2)));
  writeFileSync(
    join(root, 'scan.tiff'),
    Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), Buffer.alloc(64)]),
  );
  writeFileSync(join(root, 'huge.png'), hugePng());
  copyFileSync(jpgs[0], join(root, '.hidden.jpg'));
  writeFileSync(join(root, '.DS_Store'), 'junk');
  copyFileSync(jpgs[1], join(root, '__MACOSX', '._with spaces (1).jpg'));
  return root;
}

describe('bad input: clear message, nothing lost', () => {
  it('imports every valid image of a planted folder and reports each bad file, running no script', async () => {
    await pickForImport(page, 'folder', plantFolder());
    expect(await page.getByTestId('layout').textContent()).toMatch(/flat folder/);
    await commitImport(page, { name: 'planted' });
    expect(await page.getByTestId('imported-count').textContent()).toBe(String(GOOD_NAMES.length));
    const rows = await page.getByTestId('skipped-table').locator('tbody tr').allTextContents();
    for (const [name, reason] of Object.entries(BAD)) {
      const row = rows.find((r) => r.includes(name));
      expect(row, `${name} should be reported`).toBeTruthy();
      expect(row).toMatch(reason);
    }
    // Hidden files and __MACOSX are skipped silently.
    expect(
      rows.some((r) => r.includes('.hidden') || r.includes('__MACOSX') || r.includes('.DS_Store')),
    ).toBe(false);
    expect(rows.length).toBe(Object.keys(BAD).length);
    expect(await page.getByTestId('duplicates').textContent()).toMatch(
      /dup-a\.jpg\s*=\s*planted\/dup-b\.jpg|dup-b\.jpg\s*=\s*planted\/dup-a\.jpg/,
    );

    // The HTML-looking file name is shown as text, never parsed into an element.
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
    const cells = page.getByTestId('image-grid').locator('button.cell');
    await expect.poll(() => cells.count()).toBe(GOOD_NAMES.length);
    const titles = await cells.evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    expect(titles).toContain('planted/<img src=x onerror=alert(1)>.jpg');
    const i = titles.indexOf('planted/<img src=x onerror=alert(1)>.jpg');
    await cells.nth(i).click();
    expect(await page.getByTestId('lightbox-path').textContent()).toBe(
      'planted/<img src=x onerror=alert(1)>.jpg',
    );
    await page.keyboard.press('Escape');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('says clearly when a .zip is not a zip, and stores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simlab-notzip-'));
    writeFileSync(join(dir, 'photos.zip'), 'this is not a zip archive at all');
    const before = await storeKeys(page);
    await pickForImport(page, 'files', join(dir, 'photos.zip'));
    expect(await page.getByTestId('data-error').textContent()).toMatch(
      /photos\.zip: not a zip file/,
    );
    expect(await storeKeys(page)).toEqual(before);
  });

  it('cancelling an import removes what it wrote and says so', async () => {
    await pickForImport(page, 'folder', join(SHARED, 'mnist-png'));
    await page.getByTestId('commit-import').click();
    await page.waitForFunction(() =>
      /[1-9]\d* \/ 6,000/.test(
        document.querySelector('[data-testid="import-progress"]')?.textContent ?? '',
      ),
    );
    await page.getByTestId('cancel-import').click();
    await page.getByTestId('import-cancelled').waitFor({ timeout: 60_000 });
    expect((await storedDatasets(page)).map((d) => d.name)).toEqual(['planted']);
    await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
  });

  it('an import interrupted by a reload is removed on the next start, with a notice', async () => {
    await pickForImport(page, 'folder', join(SHARED, 'mnist-png'));
    await page.getByTestId('import-size').selectOption('32');
    await page.getByTestId('commit-import').click();
    // Wait until at least one shard (1,365 images at 32 px) is written, then reload mid-import.
    await page.waitForFunction(
      () => {
        const m = /([\d,]+) \/ 6,000/.exec(
          document.querySelector('[data-testid="import-progress"]')?.textContent ?? '',
        );
        return !!m && Number(m[1].replace(/,/g, '')) > 1500;
      },
      undefined,
      { timeout: 120_000 },
    );
    await page.reload();
    await page.getByTestId('backend-name').waitFor();
    await page.getByText(/was interrupted .* has been removed/).waitFor({ timeout: 30_000 });
    const metas = await storedDatasets(page);
    expect(metas.map((d) => d.name)).toEqual(['planted']);
    const keys = await storeKeys(page);
    expect(keys.filter((k) => !k.includes(metas[0].id) && k !== 'schema')).toEqual([]);
  });

  it('quota exceeded mid-import: a clear error and nothing half-stored', async () => {
    const cdp = await context.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: appUrl,
      quotaSize: usage + 3_000_000,
    });
    try {
      await pickForImport(page, 'folder', join(SHARED, 'cifar10-png'));
      await commitImport(page, { name: 'too-big', size: 64 });
      expect(await page.getByTestId('import-error').textContent()).toMatch(
        /Storage is full.*Nothing was stored/,
      );
      expect((await storedDatasets(page)).map((d) => d.name)).toEqual(['planted']);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: appUrl });
    }
  });
});
