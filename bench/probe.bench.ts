/**
 * Linear-probe time (issue: evaluate, benchmark): 5,000 training embeddings × 512 (+ 1,000 test),
 * 10 classes, the probe's defaults (Adam, batch 256) for 100 epochs, in the app's engine worker in
 * headless Chromium on wasm (engine.benchProbe → worker/bench-eval.ts → ml/eval/linear-probe.ts);
 * beside sklearn's LogisticRegression (lbfgs, standardised) on data of the same recipe when
 * /usr/bin/python3 has sklearn.
 *
 *   node --import tsx bench/probe.bench.ts [--epochs 100] [--backend wasm]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

const args = process.argv.slice(2);
const eIdx = args.indexOf('--epochs');
const epochs = eIdx >= 0 ? Number(args[eIdx + 1]) : 100;
const bIdx = args.indexOf('--backend');
const backend = bIdx >= 0 ? args[bIdx + 1] : 'wasm';
const o = { train: 5000, test: 1000, dim: 512, classes: 10, epochs };

function sklearnSeconds(): number | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const py = `
import time, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
rng = np.random.default_rng(3)
c = rng.normal(size=(${o.classes}, ${o.dim}))
y = rng.integers(0, ${o.classes}, ${o.train})
x = (c[y] + 4 * rng.normal(size=(${o.train}, ${o.dim}))).astype(np.float32)
t = time.time()
LogisticRegression(C=1.0, max_iter=1000).fit(StandardScaler().fit_transform(x), y)
print(time.time() - t)
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', timeout: 600_000 });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

const app = await startApp();
try {
  const { context, page } = await newPage(app.browser);
  const active = await openApp(page, app.served.url, `?backend=${backend}`);
  const r = await page.evaluate(async (o) => {
    const engine = (
      window as unknown as {
        __simlab: {
          engine: {
            benchProbe(
              o: unknown,
            ): Promise<{ backend: string; seconds: number; testAccuracy: number }>;
          };
        };
      }
    ).__simlab.engine;
    return engine.benchProbe(o);
  }, o);
  await context.close();
  const sk = sklearnSeconds();
  emit({
    figure: `linear probe (${epochs} epochs, Adam, batch 256)`,
    backend: `chromium ${active}`,
    size: `${o.train.toLocaleString('en-US')} × ${o.dim} (+${o.test.toLocaleString('en-US')} test), ${o.classes} classes`,
    median: r.seconds,
    unit: 's',
    runs: 1,
    anchor:
      sk === null ? null : { name: 'sklearn LogisticRegression (lbfgs)', value: sk, unit: 's' },
    ratio: sk === null ? null : sk / r.seconds,
    note: `engine worker; test accuracy ${r.testAccuracy.toFixed(4)}`,
  });
} finally {
  await app.close();
}
