import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium } from 'playwright-core';
import { chromePath, launch, newPage, openApp } from './browser';

const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function selfTest(query: string) {
  const { context, page, errors } = await newPage(browser);
  const backend = await openApp(page, appUrl, query);
  // The app exposes its engine handle on window.__simlab for debugging and tests.
  const result = await page.evaluate(async () => {
    const w = window as unknown as {
      __simlab: { engine: { selfTest(): Promise<{ backend: string; values: number[] }> } };
    };
    return w.__simlab.engine.selfTest();
  });
  const badge = await page.getByTestId('backend').textContent();
  await context.close();
  return { backend, result, badge, errors };
}

describe('engine worker in Chromium', () => {
  it('runs on webgpu (SwiftShader) when forced, and shows the adapter', async () => {
    const r = await selfTest('?backend=webgpu');
    expect(r.backend).toBe('webgpu');
    expect(r.result.backend).toBe('webgpu');
    expect(r.badge?.toLowerCase()).toMatch(/webgpu.*·/);
    expect(r.errors).toEqual([]);
  });

  it('gives the same numbers on webgpu and cpu (≤ 1e-4)', async () => {
    const gpu = await selfTest('?backend=webgpu');
    const cpu = await selfTest('?backend=cpu');
    expect(cpu.backend).toBe('cpu');
    expect(gpu.result.values.length).toBe(6);
    for (let i = 0; i < 6; i++)
      expect(Math.abs(gpu.result.values[i] - cpu.result.values[i])).toBeLessThanOrEqual(1e-4);
  });

  it('starts wasm with its binaries served by the app, cross-origin isolated', async () => {
    const { context, page } = await newPage(browser);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const backend = await openApp(page, appUrl, '?backend=wasm');
    expect(backend).toBe('wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // Threaded wasm uses every core (tfjs would halve navigator.hardwareConcurrency by itself).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await page.getByTestId('backend').textContent()).toContain(
      `${Math.min(cores, 8)} thread`,
    );
    const wasm = requests.filter((u) => u.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    expect(
      requests.every((u) => u.startsWith(appUrl) || u.startsWith('blob:') || u.startsWith('data:')),
    ).toBe(true);
    await context.close();
  });

  it('explains why WebGPU is missing when it is', async () => {
    const b = await chromium.launch({
      executablePath: chromePath(),
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu',
        '--disable-webgpu',
      ],
      headless: true,
    });
    try {
      const page = await (await b.newContext()).newPage();
      const backend = await openApp(page, appUrl, '');
      expect(backend).not.toBe('webgpu');
      await page.getByTestId('backend-name').click();
      const why = await page.getByTestId('webgpu-why').textContent();
      expect(why).toMatch(/WebGPU not used/);
    } finally {
      await b.close();
    }
  });
});
