/** Shared UI steps for the browser tests. */
import type { Page } from 'playwright-core';

/** Picks files or a folder through the hidden inputs and waits for the review (or an error). */
export async function pickForImport(page: Page, which: 'folder' | 'files', paths: string | string[]): Promise<void> {
  await page.getByTestId(which === 'folder' ? 'folder-input' : 'files-input').setInputFiles(paths);
  await page.locator('[data-testid="import-review"], [data-testid="data-error"]').first().waitFor({ timeout: 120_000 });
}

/** Clicks Import and waits for the report; returns its summary text. */
export async function commitImport(page: Page, opts: { name?: string; size?: number } = {}): Promise<void> {
  if (opts.name !== undefined) await page.getByTestId('import-name').fill(opts.name);
  if (opts.size !== undefined) await page.getByTestId('import-size').selectOption(String(opts.size));
  const btn = page.getByTestId('commit-import');
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid="commit-import"]') as HTMLButtonElement | null;
    return !!b && !b.disabled;
  }, undefined, { timeout: 30_000 });
  await btn.click();
  await page.getByTestId('import-report').waitFor({ timeout: 280_000 });
}
