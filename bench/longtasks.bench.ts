/**
 * "The page never blocks" (issue 16): the built app on ?backend=wasm trains a small run (seeded
 * shapes, ConvNet width 8, batch 32, SimCLR, BENCH_EPOCHS epochs) with the Train panel and its live
 * curves on screen, while a PerformanceObserver in the page records every main-thread 'longtask'
 * (> 50 ms) and every 'long-animation-frame' (with the scripts it ran, to find the cause).
 * Reports the longest task and how many there were between Train and the end of the run; the
 * anchor is the run's length. A 'longtask' lasts in wall time, so on a loaded machine a task is
 * stretched by the time the main thread waits for a core: Chromium's trace ('toplevel' tasks of
 * CrRendererMain) gives each task's thread CPU time as well, reported beside it.
 * BENCH_LONGTASKS_DETAIL=1 prints the long frames' scripts and the main thread's JS profile.
 */
import type { CDPSession, Page } from 'playwright-core';
import { configureTinyRun, generateShapes } from '../tests/e2e/app-actions';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 4);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 512);

interface Entry {
  type: string;
  start: number;
  duration: number;
  /** long-animation-frame only: the scripts that ran in it, longest first. */
  scripts?: { d: number; invoker: string; src: string; fn: string }[];
}

/** Installed before the app's own scripts: collects the entries into window.__long. */
function observe() {
  const w = window as unknown as { __long: Entry[] };
  w.__long = [];
  const types = PerformanceObserver.supportedEntryTypes;
  for (const type of ['longtask', 'long-animation-frame']) {
    if (!types.includes(type)) continue;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const scripts = (
          e as unknown as {
            scripts?: {
              duration: number;
              invoker: string;
              sourceURL: string;
              sourceFunctionName: string;
              sourceCharPosition: number;
            }[];
          }
        ).scripts;
        w.__long.push({
          type,
          start: e.startTime,
          duration: e.duration,
          scripts: scripts
            ?.map((s) => ({
              d: Math.round(s.duration),
              invoker: s.invoker,
              src: `${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}`,
              fn: s.sourceFunctionName,
            }))
            .sort((a, b) => b.d - a.d)
            .slice(0, 4),
        });
      }
    }).observe({ type, buffered: true });
  }
}

async function trainWindow(page: Page): Promise<{ t0: number; t1: number }> {
  await configureTinyRun(page, EPOCHS);
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('train-start').click();
  await page.getByTestId('train-message').waitFor({ timeout: 900_000 });
  const msg = (await page.getByTestId('train-message').textContent()) ?? '';
  if (!/Finished after/.test(msg)) throw new Error(`run did not finish: ${msg}`);
  const t1 = await page.evaluate(() => performance.now());
  return { t0, t1 };
}

/** Top-level main-thread tasks from a Chromium trace: wall and thread-CPU ms of each. */
function mainTasks(trace: Buffer): { at: number; wall: number; cpu: number }[] {
  const ev = (JSON.parse(trace.toString('utf8')) as { traceEvents: Record<string, unknown>[] })
    .traceEvents;
  const main = new Set(
    ev
      .filter(
        (e) => e.name === 'thread_name' && (e.args as { name?: string })?.name === 'CrRendererMain',
      )
      .map((e) => `${e.pid}:${e.tid}`),
  );
  return ev
    .filter(
      (e) =>
        e.ph === 'X' &&
        main.has(`${e.pid}:${e.tid}`) &&
        (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask'),
    )
    .map((e) => ({
      at: Number(e.ts) / 1e6,
      wall: Number(e.dur ?? 0) / 1000,
      cpu: Number(e.tdur ?? 0) / 1000,
    }));
}

/** Self time per function of a CDP CPU profile, largest first. */
function topFunctions(profile: {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

const DETAIL = !!process.env.BENCH_LONGTASKS_DETAIL;
const app = await startApp();
try {
  const { context, page } = await newPage(app.browser);
  await page.addInitScript(observe);
  const backend = await openApp(page, app.served.url, '?backend=wasm');
  await generateShapes(page, IMAGES);
  let cdp: CDPSession | null = null;
  if (DETAIL) {
    cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    await cdp.send('Profiler.start');
  }
  await app.browser.startTracing(page, { categories: ['toplevel'] });
  const { t0, t1 } = await trainWindow(page);
  const tasks2 = mainTasks(await app.browser.stopTracing());
  // Let the last curve redraw land before reading.
  await page.waitForTimeout(1000);
  const all = await page.evaluate(() => (window as unknown as { __long: Entry[] }).__long);
  const inRun = all.filter((e) => e.start >= t0 && e.start <= t1 + 1000);
  const tasks = inRun.filter((e) => e.type === 'longtask');
  const frames = inRun.filter((e) => e.type === 'long-animation-frame');
  const longest = tasks.reduce((m, e) => Math.max(m, e.duration), 0);
  const seconds = (t1 - t0) / 1000;
  const cpuLong = tasks2.filter((t) => t.cpu > 50);
  const longestCpu = tasks2.reduce((m, t) => Math.max(m, t.cpu), 0);
  const longestWall = tasks2.reduce((m, t) => Math.max(m, t.wall), 0);
  emit({
    figure: `longest main-thread task while training (${EPOCHS} epochs, ${IMAGES} shapes, live curves)`,
    backend: `chromium (engine ${backend})`,
    size: 'ConvNet w8 b32 SimCLR',
    median: longest,
    unit: 'ms',
    runs: 1,
    anchor: { name: 'run length', value: seconds, unit: 's' },
    note: `${tasks.length} tasks > 50 ms (total ${Math.round(tasks.reduce((a, e) => a + e.duration, 0))} ms), ${frames.length} animation frames > 50 ms; ${all.length - inRun.length} entries outside the run (start-up, data generation) not counted`,
  });
  emit({
    figure: `  the same run's longest main-thread task in thread CPU time (trace)`,
    backend: `chromium (engine ${backend})`,
    size: 'ConvNet w8 b32 SimCLR',
    median: longestCpu,
    unit: 'ms CPU',
    runs: 1,
    note: `${cpuLong.length} of ${tasks2.length} tasks over 50 ms CPU; longest in wall time ${Math.round(longestWall)} ms; main thread CPU ${Math.round(tasks2.reduce((a, t) => a + t.cpu, 0))} ms in ${seconds.toFixed(0)} s`,
  });
  if (DETAIL) {
    const first = tasks2.reduce((m, t) => Math.min(m, t.at), Infinity);
    for (const t of [...tasks2].sort((a, b) => b.cpu - a.cpu).slice(0, 10))
      console.error(
        `task at ${(t.at - first).toFixed(1)} s: ${t.cpu.toFixed(0)} ms CPU, ${t.wall.toFixed(0)} ms wall`,
      );
  }
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    for (const l of topFunctions(profile as Parameters<typeof topFunctions>[0])) console.error(l);
  }
  if (DETAIL) {
    for (const e of inRun.sort((a, b) => b.duration - a.duration).slice(0, 20))
      console.error(
        `${e.type} at ${((e.start - t0) / 1000).toFixed(1)} s: ${Math.round(e.duration)} ms ${JSON.stringify(e.scripts ?? [])}`,
      );
  }
  await context.close();
} finally {
  await app.close();
}
