/** Shared UI steps for the browser tests. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Picks files or a folder through the hidden inputs and waits for the review (or an error). */
export async function pickForImport(
  page: Page,
  which: 'folder' | 'files',
  paths: string | string[],
): Promise<void> {
  await page.getByTestId(which === 'folder' ? 'folder-input' : 'files-input').setInputFiles(paths);
  await page
    .locator('[data-testid="import-review"], [data-testid="data-error"]')
    .first()
    .waitFor({ timeout: 120_000 });
}

/** Clicks Import and waits for the report; returns its summary text. */
export async function commitImport(
  page: Page,
  opts: { name?: string; size?: number } = {},
): Promise<void> {
  if (opts.name !== undefined) await page.getByTestId('import-name').fill(opts.name);
  if (opts.size !== undefined)
    await page.getByTestId('import-size').selectOption(String(opts.size));
  const btn = page.getByTestId('commit-import');
  await page.waitForFunction(
    () => {
      const b = document.querySelector('[data-testid="commit-import"]') as HTMLButtonElement | null;
      return !!b && !b.disabled;
    },
    undefined,
    { timeout: 30_000 },
  );
  await btn.click();
  await page.getByTestId('import-report').waitFor({ timeout: 280_000 });
}

/** Generates `count` seeded shapes images (32 px, two classes) from the Data panel's catalogue. */
export async function generateShapes(page: Page, count: number): Promise<void> {
  await page
    .locator('[data-testid="catalogue-shapes"] input[type="number"]')
    .first()
    .fill(String(count));
  await page.getByTestId('generate-shapes').click();
  await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
  await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
}

/** Opens the Train panel with the default SimCLR config shrunk to a ConvNet of width 8, batch 32. */
export async function configureTinyRun(page: Page, epochs: number): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('train-form').waitFor();
  await page.getByTestId('train-width').waitFor();
  await page.getByTestId('train-width').fill('8');
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-batch').fill('32');
  await page.waitForTimeout(400);
  expect(await page.getByTestId('train-problems').count()).toBe(0);
}

/** configureTinyRun, then trains to the end. */
export async function trainTiny(page: Page, epochs: number): Promise<void> {
  await configureTinyRun(page, epochs);
  await page.getByTestId('train-start').click();
  await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
  expect(await page.getByTestId('train-message').textContent()).toMatch(
    new RegExp(`Finished after ${epochs} epoch`),
  );
}
