/**
 * Import throughput in headless Chromium (issue: datasets, issue 16): 4,000 camera-sized JPEG photos
 * (500×375, made by bench/import_photos.py into bench/results/photos4k), clothing-small (3,781 JPEG)
 * and cifar10-png (6,000 PNG) at 64 px, images/s, CPU ms per image (all of Chromium's processes) and
 * IndexedDB bytes; for the photos also each stage alone in the same page (./import-stages: read,
 * decode alone = the floor, ...); then 50,000 images (cifar10-png repeated under new names) with the
 * peak memory of the page and its worker.
 * Anchor: PIL decode + resize + centre crop of the same files in one Python thread, when installed.
 * BENCH_SETS=photos4k,clothing-small picks the folders; BENCH_SKIP_50K=1 skips the 50,000 and
 * BENCH_NO_STAGES=1 the stages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { newPage, openApp } from '../tests/e2e/browser';
import { SHARED } from '../tests/e2e/datasets-on-disk';
import { startApp } from './browser';
import { loadFolder, stageRate, STAGES, treeCpuSeconds } from './import-stages';
import { emit, median } from './lib';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SETS = (process.env.BENCH_SETS ?? 'photos4k,clothing-small,cifar10-png').split(',');
const PHOTOS = resolve(import.meta.dirname, 'results', 'photos4k');

/** The camera-sized photos (made once from the shared datasets; never committed). */
function photosDir(): string {
  if (!existsSync(PHOTOS)) {
    const r = spawnSync(
      '/usr/bin/python3',
      [resolve(import.meta.dirname, 'import_photos.py'), PHOTOS, '4000'],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('import_photos.py failed (needs python3 with PIL, numpy)');
  }
  return PHOTOS;
}

function pilRate(dir: string, size: number): number | null {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return null;
  const r = spawnSync(py, [resolve(import.meta.dirname, 'import_pil.py'), dir, String(size)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return null;
  return Number(r.stdout.trim());
}

async function importFolder(
  page: Page,
  dir: string,
  size: number,
): Promise<{ seconds: number; imported: number; bytes: number; cpuMs: number }> {
  await page.getByTestId('folder-input').setInputFiles(dir);
  await page.getByTestId('import-review').waitFor({ timeout: 600_000 });
  await page.getByTestId('import-size').selectOption(String(size));
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid="commit-import"]') as HTMLButtonElement)?.disabled,
  );
  const c0 = treeCpuSeconds();
  await page.getByTestId('commit-import').click();
  await page.getByTestId('import-report').waitFor({ timeout: 1_800_000 });
  const cpuMs = (treeCpuSeconds() - c0) * 1000;
  const text = (await page.getByTestId('import-summary').textContent()) ?? '';
  const m = /Imported\s+([\d,]+)\s+images\s+\(([\d.]+) (B|KB|MB|GB)\)\s+in\s+([\d.]+) s/.exec(text);
  if (!m) throw new Error(`unexpected report: ${text}`);
  const mult = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[m[3] as 'B'];
  await page.getByTestId('import-report').getByRole('button', { name: 'Close' }).click();
  return {
    imported: Number(m[1].replace(/,/g, '')),
    bytes: Number(m[2]) * mult,
    seconds: Number(m[4]),
    cpuMs,
  };
}

async function deleteAll(page: Page) {
  for (;;) {
    const n = await page.getByTestId('delete-dataset').count();
    if (n === 0) break;
    await page.getByTestId('delete-dataset').first().click();
    await page.waitForFunction(
      (k) => document.querySelectorAll('[data-testid="delete-dataset"]').length < k,
      n,
    );
  }
}

const app = await startApp();
try {
  const { context, page } = await newPage(app.browser);
  const backend = await openApp(page, app.served.url, '?backend=wasm');
  page.on('dialog', (d) => void d.accept());
  const sets = {
    photos4k: { dir: () => photosDir(), kind: 'JPEG 500×375' },
    'clothing-small': { dir: () => join(SHARED, 'clothing-small'), kind: 'JPEG' },
    'cifar10-png': { dir: () => join(SHARED, 'cifar10-png'), kind: 'PNG' },
  } as const;
  for (const name of SETS) {
    const { dir: dirOf, kind } = sets[name as keyof typeof sets];
    const dir = dirOf();
    const rates: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    let count = 0;
    for (let r = 0; r < RUNS; r++) {
      const res = await importFolder(page, dir, 64);
      rates.push(res.imported / res.seconds);
      cpu.push(res.cpuMs / res.imported);
      bytes = res.bytes;
      count = res.imported;
      await deleteAll(page);
    }
    const pil = pilRate(dir, 64);
    emit({
      figure: `import ${name} (${count.toLocaleString('en-US')} ${kind})`,
      backend: `chromium (engine ${backend})`,
      size: '64 px',
      median: median(rates),
      unit: 'images/s',
      runs: RUNS,
      anchor: pil ? { name: 'PIL 1 thread', value: pil, unit: 'images/s' } : null,
      ratio: pil ? median(rates) / pil : null,
      note: `CPU ${median(cpu).toFixed(2)} ms/image (all Chromium processes); IndexedDB ${(bytes / 1e6).toFixed(1)} MB pixel data`,
    });
    if (name !== 'photos4k' || process.env.BENCH_NO_STAGES) continue;
    // Each stage alone over the same files in the same page; the decode alone is the floor.
    await loadFolder(page, dir);
    for (const st of STAGES) {
      const r: { rate: number; cpuMsPerImage: number }[] = [];
      for (let k = 0; k < RUNS; k++) r.push(await stageRate(page, st.mode, 64));
      emit({
        figure: `  stage ${st.mode}: ${st.what}`,
        backend: 'chromium worker',
        size: '64 px',
        median: median(r.map((x) => x.rate)),
        unit: 'images/s',
        runs: RUNS,
        note: `CPU ${median(r.map((x) => x.cpuMsPerImage)).toFixed(2)} ms/image`,
      });
    }
  }

  if (process.env.BENCH_SKIP_50K) process.exit(0);
  // 50,000 images: cifar10-png repeated under new names (hard links where possible).
  const big = resolve(import.meta.dirname, 'results', 'cifar50k');
  rmSync(big, { recursive: true, force: true });
  const src: string[] = [];
  const root = join(SHARED, 'cifar10-png');
  for (const split of readdirSync(root))
    for (const c of readdirSync(join(root, split)))
      for (const f of readdirSync(join(root, split, c))) src.push(join(split, c, f));
  for (let i = 0; i < 50_000; i++) {
    const rel = src[i % src.length];
    const [, c, f] = rel.split('/');
    const dst = join(big, c, `r${Math.floor(i / src.length)}_${f}`);
    mkdirSync(join(big, c), { recursive: true });
    try {
      linkSync(join(root, rel), dst);
    } catch {
      copyFileSync(join(root, rel), dst);
    }
  }
  await page.evaluate(() => {
    const w = window as unknown as { __peak: { js: number; uaMem: number }; __poll: number };
    w.__peak = { js: 0, uaMem: 0 };
    const perf = performance as unknown as {
      memory?: { usedJSHeapSize: number };
      measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
    };
    w.__poll = window.setInterval(async () => {
      w.__peak.js = Math.max(w.__peak.js, perf.memory?.usedJSHeapSize ?? 0);
      if (perf.measureUserAgentSpecificMemory && crossOriginIsolated) {
        try {
          w.__peak.uaMem = Math.max(
            w.__peak.uaMem,
            (await perf.measureUserAgentSpecificMemory()).bytes,
          );
        } catch {
          // measurement is best-effort
        }
      }
    }, 2000);
  });
  const res = await importFolder(page, big, 64);
  const peak = await page.evaluate(
    () => (window as unknown as { __peak: { js: number; uaMem: number } }).__peak,
  );
  emit({
    figure: `import 50,000 images (cifar10-png repeated)`,
    backend: `chromium (engine ${backend})`,
    size: '64 px',
    median: res.imported / res.seconds,
    unit: 'images/s',
    runs: 1,
    note: `${res.imported.toLocaleString('en-US')} imported in ${res.seconds.toFixed(0)} s; IndexedDB ${(res.bytes / 1e6).toFixed(0)} MB; peak page JS heap ${(peak.js / 1e6).toFixed(0)} MB; peak page+worker memory ${(peak.uaMem / 1e6).toFixed(0)} MB`,
  });
  await context.close();
  rmSync(big, { recursive: true, force: true });
} finally {
  await app.close();
}
