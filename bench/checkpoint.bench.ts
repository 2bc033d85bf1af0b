/**
 * Checkpoint files in headless Chromium on wasm (issue: take it with you): the size of an exported
 * ResNet-18 checkpoint (full width 64, CIFAR stem, on a 32 px dataset) and the engine time to export
 * it (simlab zip, torchvision .safetensors) and to import it back (zip, .safetensors), medians over
 * runs; plus the torchvision parity error (simlab → torch from the reference fixture, recomputed by
 * the unit test; torch → simlab measured by it).
 *
 * The run is made by importing a seeded full-width torchvision-layout file written here in Node
 * (no training needed: an export holds the same tensors whatever their values).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { generateShapes } from '../tests/e2e/app-actions';
import { newPage, openApp } from '../tests/e2e/browser';
import { exportTorchvisionResNet18 } from '../src/ml/io/torchvision-resnet';
import { createBackbone } from '../src/ml/models/backbones';
import { useWasmBackend } from '../src/ml/node-backend.testing';
import { startApp } from './browser';
import { emit, median } from './lib';

const RUNS = Number(process.env.BENCH_CHECKPOINT_RUNS ?? 3);

type Engine = {
  listDatasets(): Promise<{ datasets: { id: string; classes: string[] }[] }>;
  importCheckpointFile(
    data: Blob,
    fileName: string,
    opts?: { datasetId?: string },
  ): Promise<{ record: { id: string }; ms: number }>;
  exportRunCheckpoint(
    runId: string,
    slot: 'latest',
  ): Promise<{ fileName: string; bytes: Uint8Array; ms: number }>;
  exportRunSafetensors(
    runId: string,
    slot: 'latest',
  ): Promise<{ fileName: string; bytes: Uint8Array; ms: number }>;
  deleteRun(runId: string): Promise<void>;
};

/** A seeded full-width CIFAR-stem ResNet-18 as a torchvision .safetensors (simlab's writer, Node wasm backend). */
async function fullWidthWeights(): Promise<Uint8Array> {
  await useWasmBackend();
  const bb = createBackbone({ name: 'resnet18', width: 64, stem: 'cifar', inputSize: 32 });
  try {
    return await exportTorchvisionResNet18(bb.model);
  } finally {
    bb.model.dispose();
  }
}

interface Timings {
  stImportMs: number[];
  zipExportMs: number[];
  stExportMs: number[];
  zipImportMs: number[];
  zipBytes: number;
  stBytes: number;
  zipEntries: string;
}

/** Imports the weights, exports the run as zip and .safetensors, imports the zip; engine-side times (the worker's own clock). */
function measure(page: Page, runs: number): Promise<Timings> {
  return page.evaluate(async (runs) => {
    const engine = (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine;
    const weights = new Blob([
      await (await fetch('/__bench/resnet18-w64-cifar.safetensors')).arrayBuffer(),
    ]);
    const { datasets } = await engine.listDatasets();
    const datasetId = datasets.find((d) => d.classes.length > 0)!.id;
    const t: Timings = {
      stImportMs: [],
      zipExportMs: [],
      stExportMs: [],
      zipImportMs: [],
      zipBytes: 0,
      stBytes: 0,
      zipEntries: '',
    };
    let runId = '';
    for (let i = 0; i < runs; i++) {
      const r = await engine.importCheckpointFile(weights, 'resnet18-w64-cifar.safetensors', {
        datasetId,
      });
      t.stImportMs.push(r.ms);
      if (runId) await engine.deleteRun(r.record.id);
      else runId = r.record.id;
    }
    let zip: Uint8Array | null = null;
    for (let i = 0; i < runs; i++) {
      const z = await engine.exportRunCheckpoint(runId, 'latest');
      t.zipExportMs.push(z.ms);
      zip = z.bytes;
      const s = await engine.exportRunSafetensors(runId, 'latest');
      t.stExportMs.push(s.ms);
      t.stBytes = s.bytes.length;
    }
    t.zipBytes = zip!.length;
    const zipBlob = new Blob([zip as BlobPart]);
    for (let i = 0; i < runs; i++) {
      const r = await engine.importCheckpointFile(zipBlob, 'resnet18-w64.simlab.zip');
      t.zipImportMs.push(r.ms);
      await engine.deleteRun(r.record.id);
    }
    return t;
  }, runs);
}

/** The unit test's parity lines ("[torchvision parity] …"), run with this checkout's fixtures. */
function parityLines(): string[] {
  const root = resolve(import.meta.dirname, '..');
  const r = spawnSync(
    'npx',
    ['vitest', 'run', '--project', 'unit', 'src/ml/io/torchvision-resnet.test.ts'],
    { cwd: root, encoding: 'utf8', timeout: 300_000 },
  );
  const plain = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('[torchvision parity]'));
}

const weights = await fullWidthWeights();
const app = await startApp();
try {
  const { context, page } = await newPage(app.browser);
  await page.route('**/__bench/resnet18-w64-cifar.safetensors', (route) =>
    route.fulfill({
      status: 200,
      body: Buffer.from(weights),
      contentType: 'application/octet-stream',
    }),
  );
  const backend = await openApp(page, app.served.url, '?backend=wasm');
  await generateShapes(page, 60);
  const t = await measure(page, RUNS);
  const size = 'ResNet-18 w64 CIFAR stem, 32 px';
  emit({
    figure:
      'checkpoint zip size (SimCLR run: tfjs backbone + backbone.safetensors + config + history)',
    backend,
    size,
    median: t.zipBytes / 1e6,
    unit: 'MB',
    runs: 1,
    note: `${t.zipBytes} bytes; .safetensors alone ${t.stBytes} bytes (${(t.stBytes / 1e6).toFixed(1)} MB)`,
  });
  emit({
    figure: 'export checkpoint zip',
    backend,
    size,
    median: median(t.zipExportMs),
    unit: 'ms',
    runs: t.zipExportMs.length,
    note: t.zipExportMs.map((x) => x.toFixed(0)).join(', '),
  });
  emit({
    figure: 'export torchvision .safetensors',
    backend,
    size,
    median: median(t.stExportMs),
    unit: 'ms',
    runs: t.stExportMs.length,
    note: t.stExportMs.map((x) => x.toFixed(0)).join(', '),
  });
  emit({
    figure: 'import checkpoint zip (validate + store run)',
    backend,
    size,
    median: median(t.zipImportMs),
    unit: 'ms',
    runs: t.zipImportMs.length,
    note: t.zipImportMs.map((x) => x.toFixed(0)).join(', '),
  });
  emit({
    figure: 'import torchvision .safetensors (validate + store run)',
    backend,
    size,
    median: median(t.stImportMs),
    unit: 'ms',
    runs: t.stImportMs.length,
    note: t.stImportMs.map((x) => x.toFixed(0)).join(', '),
  });
  await context.close();
} finally {
  await app.close();
}

for (const line of parityLines()) {
  const m = /\[torchvision parity\] (.+?): max\|Δ\| embedding ([-+.e0-9]+)/.exec(line);
  if (m)
    emit({
      figure: `torchvision parity ${m[1]}`,
      backend: 'node wasm / torch 1.13 cpu',
      size: 'ResNet-18 w4 fixture',
      median: Number(m[2]),
      unit: 'max |Δ| embedding',
      runs: 1,
      note: line.replace('[torchvision parity] ', ''),
    });
}
