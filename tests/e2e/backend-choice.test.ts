/**
 * The automatic backend choice under the CI flags (WebGPU and WebGL only on SwiftShader, no GPU):
 * both software renderers are skipped and wasm runs, the header popover says why, and
 * `?backend=webgpu` still forces the SwiftShader adapter.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newPage, openApp } from './browser';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('automatic backend choice', () => {
  it('skips WebGPU and WebGL on SwiftShader and picks wasm; the popover says why', async () => {
    const { context, page, errors } = await newPage(browser);
    expect(await openApp(page, appUrl, '')).toBe('wasm');
    const ran = await page.evaluate(() =>
      (
        window as unknown as { __simlab: { engine: { selfTest(): Promise<{ backend: string }> } } }
      ).__simlab.engine.selfTest(),
    );
    expect(ran.backend).toBe('wasm');
    await page.getByTestId('backend-name').click();
    const why = (await page.getByTestId('webgpu-why').textContent()) ?? '';
    expect(why).toMatch(/WebGPU not used/);
    expect(why).toMatch(/software renderer \(swiftshader\).*runs on the CPU/i);
    const skipped = (await page.getByTestId('backend-skipped').allTextContents()).join('\n');
    expect(skipped).toMatch(/WebGL not used:.*SwiftShader/);
    if (process.env.SIMLAB_SHOTS)
      await page.screenshot({ path: `${process.env.SIMLAB_SHOTS}/backend-popover.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('?backend=webgpu still forces the SwiftShader adapter', async () => {
    const { context, page } = await newPage(browser);
    expect(await openApp(page, appUrl, '?backend=webgpu')).toBe('webgpu');
    expect(await page.getByTestId('adapter').textContent()).toMatch(/swiftshader/i);
    await context.close();
  });
});
