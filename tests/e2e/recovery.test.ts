/**
 * Nothing lost when the GPU or the worker fails mid-run. Each fault is caused from inside the
 * engine through its test hooks (`?testHooks=1`, common/engine-recovery.ts):
 * - the webgpu device destroyed (GPUDevice.destroy()) and a GPU out-of-memory error (on
 *   SwiftShader, forced with ?backend=webgpu): the run stops at its last checkpoint with a message,
 *   the engine starts webgpu again, and Resume finishes the run;
 * - the worker crashing (an uncaught exception) and hanging (a missed heartbeat) on wasm: the page
 *   notices, restarts it, the run shows as interrupted (also after a reload) and resumes to the end.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureTinyRun, generateShapes } from './app-actions';
import { launch, newPage, openApp } from './browser';
import { storedRuns } from './idb';

const appUrl = inject('appUrl');
const shots = process.env.SIMLAB_SHOTS;
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

function hook(page: Page, name: string): Promise<void> {
  return page.evaluate(
    (name) =>
      (
        window as unknown as { __simlab: { engine: { testHook(n: string): Promise<void> } } }
      ).__simlab.engine.testHook(name),
    name,
  );
}

/** Waits until the live progress line says the checkpoint of `epoch` is stored. */
async function checkpointed(page: Page, epoch: number): Promise<void> {
  await page.waitForFunction(
    (re) =>
      new RegExp(re).test(
        document.querySelector('[data-testid="train-progress"]')?.textContent ?? '',
      ),
    `checkpoint at epoch ${epoch}\\b`,
    { timeout: 240_000 },
  );
}

/** Clicks the shown run's Resume and waits for the end of the run. */
async function resumeToEnd(page: Page, epochs: number): Promise<void> {
  const resume = page.getByTestId('train-resume-latest');
  await resume.waitFor({ timeout: 60_000 });
  await resume.click();
  await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
  expect(await page.getByTestId('train-message').textContent()).toMatch(
    new RegExp(`Finished after ${epochs} epochs`),
  );
}

async function finishedRun(page: Page, epochs: number) {
  const runs = await storedRuns(page);
  expect(runs.length).toBe(1);
  expect(runs[0].status).toBe('finished');
  expect(runs[0].curves.epochs.map((p) => p.epoch)).toEqual(
    Array.from({ length: epochs + 1 }, (_, i) => i),
  );
}

/**
 * The smallest run SwiftShader's webgpu gets through quickly: supervised, ConvNet width 4 with 3
 * blocks, batch 8, no kNN monitor (SimCLR at width 8, batch 32 took ~75 s an epoch there).
 */
async function configureGpuRun(page: Page, epochs: number): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('train-method').selectOption('supervised');
  await page.getByTestId('train-width').waitFor();
  await page.waitForTimeout(300);
  const form = page.getByTestId('train-form');
  await page.getByTestId('train-width').fill('4');
  await form
    .locator('label', { hasText: /^\s*blocks/ })
    .locator('select')
    .selectOption('3');
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-batch').fill('8');
  await form
    .locator('label', { hasText: /^\s*every\b/ })
    .locator('input')
    .fill('0');
  await page.waitForTimeout(400);
  expect(await page.getByTestId('train-problems').count()).toBe(0);
}

describe('recovery from GPU faults (webgpu on SwiftShader)', () => {
  // One run takes both faults (each epoch on SwiftShader costs ~30-50 s, mostly fixed per step).
  it('device destroyed, then GPU out of memory, mid-run: message, webgpu again, resume finishes the run', async () => {
    const { context, page } = await newPage(browser);
    expect(await openApp(page, appUrl, '?backend=webgpu&testHooks=1')).toBe('webgpu');
    await generateShapes(page, 12);
    await configureGpuRun(page, 3);
    await page.getByTestId('train-start').click();
    const faults = [
      { hook: 'destroy-gpu-device', said: /The GPU device was lost \(destroyed/ },
      { hook: 'gpu-out-of-memory', said: /The GPU ran out of memory/ },
    ];
    for (const [i, fault] of faults.entries()) {
      await checkpointed(page, i + 1);
      await hook(page, fault.hook);
      const error = page.getByTestId('train-error');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.textContent()).toMatch(fault.said);
      expect(await error.textContent()).toMatch(/stopped at its last checkpoint/);
      await page.getByTestId('backend-name').click();
      const notice = page.getByTestId('engine-notice');
      await page.waitForFunction(
        (re) =>
          new RegExp(re).test(
            document.querySelector('[data-testid="engine-notice"]')?.textContent ?? '',
          ),
        `${fault.said.source}.*restarted on webgpu`,
        { timeout: 60_000 },
      );
      expect(await notice.textContent()).toMatch(fault.said);
      expect(await page.getByTestId('backend-name').textContent()).toBe('webgpu');
      if (shots) await page.screenshot({ path: `${shots}/recovery-${fault.hook}.png` });
      await page.getByTestId('backend-name').click();
      const resume = page.getByTestId('train-resume-latest');
      await resume.waitFor({ timeout: 60_000 });
      expect(await resume.textContent()).toMatch(new RegExp(`epoch ${i + 1}`));
      await resume.click();
    }
    await page.getByTestId('train-message').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('train-message').textContent()).toMatch(
      /Finished after 3 epochs/,
    );
    await finishedRun(page, 3);
    await context.close();
  });
});

describe('recovery from a dead worker (wasm)', () => {
  const EPOCHS = 6;
  it('a crash and a hang mid-run are noticed, the worker restarted, the run shown interrupted (after a reload too) and resumed to the end', async () => {
    const { context, page } = await newPage(browser);
    // A shorter heartbeat so the hang is noticed in 15 s (users get 2 minutes; the first training
    // step of a fresh worker blocks it for several seconds here, so not much shorter).
    const query = '?backend=wasm&testHooks=1&heartbeatMs=15000';
    expect(await openApp(page, appUrl, query)).toBe('wasm');
    await generateShapes(page, 200);
    await configureTinyRun(page, EPOCHS);
    await page.getByTestId('train-start').click();
    await checkpointed(page, 1);

    // 1. An uncaught exception inside the worker.
    await hook(page, 'crash');
    const error = page.getByTestId('train-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(
      /engine stopped while training \(its worker failed: .*test hook: the engine worker crashed/,
    );
    await page.getByTestId('engine-restarted').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('backend-name').textContent()).toBe('wasm');
    const shown = page.getByTestId('train-shown');
    if (shots) await page.screenshot({ path: `${shots}/train-after-crash.png` });
    await shown.waitFor();
    expect(await shown.getAttribute('data-status')).toBe('interrupted');

    // 2. A reload: the Train panel opens on that run, interrupted, with its curves and Resume.
    await page.reload();
    await page.getByTestId('backend-name').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await shown.waitFor({ timeout: 30_000 });
    expect(await shown.getAttribute('data-status')).toBe('interrupted');
    // The crash lands at epoch 1 or a little later: the run resumes from its latest checkpoint.
    const resumeText = (await page.getByTestId('train-resume-latest').textContent()) ?? '';
    const at = Number(/epoch (\d+)/.exec(resumeText)?.[1]);
    expect(at).toBeGreaterThanOrEqual(1);
    expect(at).toBeLessThan(EPOCHS - 1);
    expect(
      Number(await page.getByTestId('chart-loss').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    expect(await page.getByTestId('epoch-table').locator('tbody tr').count()).toBe(at + 1);
    expect(await page.getByTestId('train-epochs').inputValue()).toBe(String(EPOCHS));
    if (shots) await page.screenshot({ path: `${shots}/train-after-reload.png`, fullPage: true });

    // 3. Resumed, then the worker stops answering: the missed heartbeat restarts it.
    await page.getByTestId('train-resume-latest').click();
    await checkpointed(page, at + 1);
    await hook(page, 'hang');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(
      /engine stopped while training \(it stopped answering/,
    );
    await page.getByTestId('engine-restarted').waitFor({ timeout: 60_000 });
    await shown.waitFor();
    expect(await shown.getAttribute('data-status')).toBe('interrupted');
    if (shots) await page.screenshot({ path: `${shots}/train-after-hang.png` });
    await resumeToEnd(page, EPOCHS);
    await finishedRun(page, EPOCHS);
    await context.close();
  });
});
