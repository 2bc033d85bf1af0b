/**
 * The pretrained-weights catalogue against 127.0.0.1 servers serving fixture files (the page's
 * ?weightsBase= points the catalogue there): a download with progress that pins the sha256 and
 * imports as a weights run; the stored copy is used next time without a request; a server without
 * CORS gets "download it yourself, then drop it here"; a file that is not the published one
 * (torchvision's sha256 prefix in its name) is refused.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateShapes } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { storedRuns } from './idb';
import { serveDir, type Served } from './server';

const appUrl = inject('appUrl');
const FIX = resolve(import.meta.dirname, '../reference/fixtures');
let browser: Browser;
let withCors: Served;
let withoutCors: Served;
let corsForPrefix: Served;
let resnetSha = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlab-weights-'));
  // Named as the catalogue names its files: a torchvision resnet18 (width 4) for the ResNet-18
  // entry, and a MobileNetV3 .pth whose sha256 does not start with the prefix its name claims.
  const st = join(FIX, 'safetensors_torchvision_resnet18_cifar.safetensors');
  copyFileSync(st, join(dir, 'resnet18.tv_in1k.safetensors'));
  copyFileSync(
    join(FIX, 'pth_mobilenet_v3_small.pth'),
    join(dir, 'mobilenet_v3_small-047dcff4.pth'),
  );
  resnetSha = createHash('sha256').update(readFileSync(st)).digest('hex');
  withCors = await serveDir(dir, { cors: true });
  withoutCors = await serveDir(dir, { cors: false });
  corsForPrefix = await serveDir(dir, { cors: true });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await withCors?.close();
  await withoutCors?.close();
  await corsForPrefix?.close();
});

async function openRunsWith(base: string) {
  const { context, page } = await newPage(browser);
  await openApp(page, appUrl, `?backend=wasm&weightsBase=${encodeURIComponent(base + '/')}`);
  return { context, page };
}

describe('pretrained weights catalogue', () => {
  it('downloads on click with progress, pins the sha256, imports a weights run; the stored copy is reused', async () => {
    const { context, page } = await openRunsWith(withCors.url);
    await generateShapes(page, 60);
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    const entry = page.getByTestId('pretrained-resnet18-imagenet');
    await entry.waitFor();
    expect(await entry.getByTestId('pretrained-use').textContent()).toBe('Download and use');
    await entry.getByTestId('pretrained-use').click();
    await page.getByTestId('weights-dataset').waitFor({ timeout: 60_000 });
    expect(await entry.getByTestId('pretrained-sha').textContent()).toContain(resnetSha);
    expect(await entry.getByTestId('pretrained-sha').textContent()).toMatch(
      /pinned at this first download/,
    );
    await page.getByTestId('weights-import').click();
    await page.getByTestId('runs-import-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-format').textContent()).toBe('torchvision .safetensors');
    const runs = await storedRuns<{ config: { backbone: { name: string; width: number } } }>(page);
    expect(runs.map((r) => r.config.backbone)).toEqual([
      expect.objectContaining({ name: 'resnet18', width: 4 }),
    ]);
    await page.getByTestId('pretrained').screenshot({ path: '/tmp/pretrained.png' });
    // A new page of the same profile: the stored copy, checked against the pinned sha256.
    await page.reload();
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    const again = page.getByTestId('pretrained-resnet18-imagenet');
    await again.getByTestId('pretrained-sha').waitFor();
    expect(await again.getByTestId('pretrained-use').textContent()).toBe('Use the stored copy');
    await withCors.close(); // nothing may be fetched now
    await again.getByTestId('pretrained-use').click();
    await page.getByTestId('weights-dataset').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('pretrained-error').count()).toBe(0);
    await context.close();
  });

  it('without CORS: says to download it yourself and drop it here; a file that is not the published one is refused', async () => {
    const { context, page } = await openRunsWith(withoutCors.url);
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    const mb = page.getByTestId('pretrained-mobilenet-v3-small-imagenet');
    await mb.getByTestId('pretrained-use').click();
    await mb.getByTestId('pretrained-error').waitFor({ timeout: 30_000 });
    expect(await mb.getByTestId('pretrained-error').textContent()).toMatch(
      /does not allow downloads from other sites.*Download it yourself, then drop the file here/,
    );
    await context.close();
    // The same file from a server that allows it: its sha256 does not start with 047dcff4.
    const second = await openRunsWith(corsForPrefix.url);
    await second.page.getByRole('button', { name: 'Runs', exact: true }).click();
    const mb2 = second.page.getByTestId('pretrained-mobilenet-v3-small-imagenet');
    await mb2.getByTestId('pretrained-use').click();
    await mb2.getByTestId('pretrained-error').waitFor({ timeout: 30_000 });
    expect(await mb2.getByTestId('pretrained-error').textContent()).toMatch(
      /sha256 [0-9a-f]{64}, which does not start with 047dcff4/,
    );
    expect(await mb2.getByTestId('pretrained-sha').count()).toBe(0);
    await second.context.close();
  });
});
