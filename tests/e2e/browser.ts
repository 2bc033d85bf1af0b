/**
 * Launches Debian's Chromium through playwright-core with the WebGPU-on-SwiftShader flags.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  '--enable-unsafe-swiftshader',
];

export function chromePath(): string {
  const p = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(p))
    throw new Error(`Chromium not found at ${p}: apt-get install chromium, or set CHROME_PATH`);
  return p;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS, headless: true });
}

/** A fresh context (own IndexedDB) with console errors collected. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, errors };
}

/** Opens the app and waits until the engine reports a backend. */
export async function openApp(page: Page, appUrl: string, query = ''): Promise<string> {
  await page.goto(`${appUrl}/${query}`);
  const name = page.getByTestId('backend-name');
  await name.waitFor({ timeout: 120_000 });
  return (await name.textContent()) ?? '';
}
