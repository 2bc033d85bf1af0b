/**
 * Frozen-backbone transfer on wasm (Node, simlab's kernels): embedding throughput of ImageNet-sized
 * ResNet-18 and MobileNetV3-Small (torchvision table) at 224 px (images/s, batch 16, eval mode),
 * seconds for one linear-head fit on 2,000 embeddings (the linear probe every frozen-backbone run
 * uses, 100 L-BFGS iterations at most), and the load time of a 45 MB torchvision resnet18 .pth
 * (written by /usr/bin/python3's torch when present). Anchor: the wasm backend's 1024³ matmul.
 *
 *   node --import tsx bench/transfer.bench.ts [--reps 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fitLinearProbe } from '../src/ml/eval/linear-probe';
import { readWeightsFile } from '../src/ml/io/weights-file';
import { loadTorchvisionWeights } from '../src/ml/io/torchvision-weights';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';
import { createBackbone, type BackboneConfigInput } from '../src/ml/models/backbones';
import { createRng } from '../src/ml/rng';
import { emit, median } from './lib';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] || 3);

async function matmulGflops(): Promise<number> {
  const n = 1024;
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const ts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    ts.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (Math.min(...ts.slice(1)) / 1000) / 1e9;
}

async function embedRate(cfg: BackboneConfigInput, batch: number): Promise<number> {
  const bb = createBackbone(cfg);
  const x = tf.randomNormal([batch, 224, 224, 3]);
  const rates: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const e = bb.model.predict(x) as tf.Tensor;
      await e.data();
      e.dispose();
      if (i > 0) rates.push(batch / ((performance.now() - t0) / 1000));
    }
  } finally {
    x.dispose();
    bb.model.dispose();
  }
  return median(rates);
}

const PY = `
import sys, torch, torchvision
torch.manual_seed(0)
torch.save(torchvision.models.resnet18().state_dict(), sys.argv[1])
`;

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  const g = await matmulGflops();
  const anchor = { name: 'wasm matmul 1024³', value: +g.toFixed(2), unit: 'GFLOP/s' };
  const row = (figure: string, size: string, median: number, unit: string, note = '') =>
    emit({
      figure,
      backend: 'wasm (Node)',
      size,
      median,
      unit,
      runs: reps,
      anchor,
      ratio: null,
      note,
    });
  const models: [string, BackboneConfigInput][] = [
    ['resnet18', { name: 'resnet18', width: 64, stem: 'imagenet', inputSize: 224 }],
    [
      'mobilenet_v3_small',
      { name: 'mobilenetv3-small', table: 'torchvision', stemStride: 2, inputSize: 224 },
    ],
  ];
  for (const [name, cfg] of models)
    row(
      `transfer embed ${name}`,
      '224 px, b16',
      +(await embedRate(cfg, 16)).toFixed(2),
      'images/s',
      'eval mode, frozen',
    );
  // One head fit on 2,000 × 512 embeddings (10 classes, not separable).
  const rng = createRng(3);
  const n = 2000,
    d = 512,
    c = 10;
  const y = Int32Array.from({ length: n }, (_, i) => i % c);
  const x = Float32Array.from(
    { length: n * d },
    (_, k) => rng.normal() + (k % d === y[Math.floor(k / d)] ? 0.8 : 0),
  );
  const fits: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fitLinearProbe(x, y, d, c, { maxIterations: 100 });
    fits.push((performance.now() - t0) / 1000);
  }
  row(
    'transfer head fit (linear probe)',
    '2000 × 512, 10 classes',
    +median(fits).toFixed(3),
    's',
    '≤ 100 L-BFGS iterations',
  );
  // .pth load: a full-width torchvision resnet18 (≈ 45 MB) into a backbone.
  const file = join(mkdtempSync(join(tmpdir(), 'simlab-pth-')), 'resnet18.pth');
  const py = existsSync('/usr/bin/python3')
    ? spawnSync('/usr/bin/python3', ['-c', PY, file], { encoding: 'utf8' })
    : null;
  if (!py || py.status !== 0 || !existsSync(file)) {
    console.error('no /usr/bin/python3 with torch: .pth load time skipped');
    return;
  }
  const bytes = new Uint8Array(readFileSync(file));
  const loads: number[] = [];
  for (let i = 0; i < reps; i++) {
    const bb = createBackbone(
      { name: 'resnet18', width: 64, stem: 'imagenet', inputSize: 224 },
      { initWeights: false },
    );
    const t0 = performance.now();
    const w = readWeightsFile(bytes, 'resnet18.pth');
    loadTorchvisionWeights(w.tensors, bb.model);
    loads.push((performance.now() - t0) / 1000);
    bb.model.dispose();
  }
  row(
    'transfer .pth load',
    `${(bytes.length / 1e6).toFixed(1)} MB resnet18`,
    +median(loads).toFixed(3),
    's',
    'unpickle + copy + write into the backbone',
  );
}

await main();
