/**
 * Training-step throughput in headless Chromium (issue: training): images/s of one step per method
 * (source images; a SimCLR step on 64 images processes 128 views) and achieved GFLOP/s as a fraction
 * of the same backend's matmul GFLOP/s measured in the same page; PyTorch CPU for the same step when
 * /usr/bin/python3 has torch. Each case is capped in time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

type Engine = {
  benchTrainStep(
    o: unknown,
  ): Promise<{ backend: string; imagesPerSec: number; gflops: number; stepMs: number[] }>;
  benchMatmul(o: unknown): Promise<{ backend: string; gflops: number }>;
};

interface Case {
  backend: string;
  method: string;
  backbone: { name: string; width?: number; stem?: string; inputSize: number };
  label: string;
  batch: number;
  steps: number;
  maxSeconds: number;
}

const conv = { name: 'convnet', width: 32, inputSize: 32 };
const r16 = { name: 'resnet18', width: 16, stem: 'cifar', inputSize: 32 };
const r64 = { name: 'resnet18', width: 64, stem: 'cifar', inputSize: 32 };
const CASES: Case[] = [
  ...['supervised', 'simclr', 'byol', 'simsiam', 'mocov2'].map((method) => ({
    backend: 'wasm',
    method,
    backbone: conv,
    label: 'ConvNet w32',
    batch: 64,
    steps: 5,
    maxSeconds: 40,
  })),
  ...['supervised', 'simclr'].map((method) => ({
    backend: 'wasm',
    method,
    backbone: r16,
    label: 'ResNet-18 w16',
    batch: 64,
    steps: 3,
    maxSeconds: 60,
  })),
  // wasm memory caps at 4 GiB: ResNet-18 w64 runs at batch 32 (PLATFORM.md).
  {
    backend: 'wasm',
    method: 'simclr',
    backbone: r64,
    label: 'ResNet-18 w64',
    batch: 32,
    steps: 2,
    maxSeconds: 90,
  },
  {
    backend: 'webgpu',
    method: 'simclr',
    backbone: conv,
    label: 'ConvNet w32',
    batch: 8,
    steps: 2,
    maxSeconds: 60,
  },
  {
    backend: 'webgpu',
    method: 'simclr',
    backbone: r16,
    label: 'ResNet-18 w16',
    batch: 8,
    steps: 1,
    maxSeconds: 90,
  },
  {
    backend: 'cpu',
    method: 'simclr',
    backbone: conv,
    label: 'ConvNet w32',
    batch: 8,
    steps: 2,
    maxSeconds: 60,
  },
  {
    backend: 'cpu',
    method: 'simclr',
    backbone: r16,
    label: 'ResNet-18 w16',
    batch: 8,
    steps: 1,
    maxSeconds: 90,
  },
];

function torchRate(c: Case): number | null {
  if (!existsSync('/usr/bin/python3') || (c.method !== 'simclr' && c.method !== 'supervised'))
    return null;
  const r = spawnSync(
    '/usr/bin/python3',
    [
      resolve(import.meta.dirname, 'train_torch.py'),
      c.method,
      c.backbone.name,
      String(c.backbone.width),
      String(c.batch),
      '32',
      '3',
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

async function measure(page: Page, c: Case) {
  return page.evaluate(async (c) => {
    const engine = (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine;
    const mm = await engine.benchMatmul({ n: c.backend === 'wasm' ? 512 : 256, repeats: 3 });
    const r = await engine.benchTrainStep({
      method: c.method,
      backbone: c.backbone,
      batch: c.batch,
      steps: c.steps,
      maxSeconds: c.maxSeconds,
    });
    return { mm, r };
  }, c);
}

const only = process.env.BENCH_TRAIN_BACKENDS?.split(',');
// BENCH_TRAIN_CASES: comma-separated `${method} ${label}` names, e.g. "simclr ConvNet w32,simclr ResNet-18 w64".
const onlyCases = process.env.BENCH_TRAIN_CASES?.split(',');
const app = await startApp();
try {
  const chosen = CASES.filter(
    (x) =>
      (!only || only.includes(x.backend)) &&
      (!onlyCases || onlyCases.includes(`${x.method} ${x.label}`)),
  );
  for (const c of chosen) {
    const { context, page } = await newPage(app.browser);
    // One ResNet-18 w64 step can block the worker past the page's 120 s heartbeat on a loaded
    // machine: the bench allows 15 min (test hooks are what make the heartbeat adjustable).
    const active = await openApp(
      page,
      app.served.url,
      `?backend=${c.backend}&testHooks=1&heartbeatMs=900000`,
    );
    const { mm, r } = await measure(page, c);
    const torch = c.backend === 'wasm' ? torchRate(c) : null;
    emit({
      figure: `train step ${c.method} ${c.label}`,
      backend: active,
      size: `32 px, batch ${c.batch}`,
      median: r.imagesPerSec,
      unit: 'images/s',
      runs: r.stepMs.length,
      anchor: { name: 'matmul', value: mm.gflops, unit: 'GFLOP/s' },
      ratio: r.gflops / mm.gflops,
      note: `${r.gflops.toFixed(2)} GFLOP/s achieved${torch ? `; PyTorch CPU ${torch.toFixed(1)} images/s → simlab/PyTorch ${(r.imagesPerSec / torch).toFixed(2)}×` : ''}`,
    });
    await context.close();
  }
} finally {
  await app.close();
}
