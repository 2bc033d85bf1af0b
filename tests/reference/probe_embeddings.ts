/**
 * Writes tests/reference/fixtures/probe_embeddings.bin: embeddings simlab computes for the linear
 * probe reference (probe_reference.py reads them, linear-probe.test.ts too). A random-init ConvNet
 * (width 32, 4 blocks → 256-d, seed 0, batch norm in inference mode) on cifar10-png: the first 200
 * training images of each class (sorted names) and all 100 test images per class, pixels / 255
 * normalised with the CIFAR-10 channel mean / std. Random-init features are far from linearly
 * separable (a probe reaches ~35–40 %), which is the hard case for an exact optimiser.
 *
 * Layout (little-endian): header int32 [nTrain, nTest, dim, numClasses], then labels int32
 * [nTrain + nTest], then embeddings float16 [(nTrain + nTest) × dim] (train rows first).
 *
 *   node --import tsx tests/reference/probe_embeddings.ts [--root DIR] [--train-per-class 200]
 *     [--width 32] [--out FILE]
 * (bench/probe.bench.ts writes a 500-per-class, width-64 → 512-d set to a temporary file with it.)
 */
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { useWasmBackend } from '../../src/ml/node-backend.testing';
import { createConvNet } from '../../src/ml/models/backbones/convnet';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const root = arg('root', '/work/shared/datasets/cifar10-png');
const PER_CLASS = { train: Number(arg('train-per-class', '200')), test: 100 };
const WIDTH = Number(arg('width', '32'));
const MEAN = [0.4914, 0.4822, 0.4465],
  STD = [0.247, 0.2435, 0.2616];

function readSplit(split: 'train' | 'test'): { px: Float32Array; y: number[] } {
  const classes = readdirSync(path.join(root, split)).sort();
  const rows: Float32Array[] = [];
  const y: number[] = [];
  classes.forEach((c, ci) => {
    const files = readdirSync(path.join(root, split, c))
      .filter((f) => f.endsWith('.png'))
      .sort()
      .slice(0, PER_CLASS[split]);
    for (const f of files) {
      const png = PNG.sync.read(readFileSync(path.join(root, split, c, f)));
      const img = new Float32Array(32 * 32 * 3);
      for (let p = 0; p < 32 * 32; p++)
        for (let k = 0; k < 3; k++) img[p * 3 + k] = (png.data[p * 4 + k] / 255 - MEAN[k]) / STD[k];
      rows.push(img);
      y.push(ci);
    }
  });
  const px = new Float32Array(rows.length * 32 * 32 * 3);
  rows.forEach((r, i) => px.set(r, i * r.length));
  return { px, y };
}

/** float32 → IEEE half (round to nearest even), as numpy's astype(float16). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1),
      half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

await useWasmBackend();
const net = createConvNet({ width: WIDTH, blocks: 4, seed: 0 });
const dim = net.embeddingDim;
const embed = (px: Float32Array, n: number): Float32Array => {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i += 250) {
    const m = Math.min(250, n - i);
    const e = tf.tidy(
      () =>
        net.model.apply(tf.tensor4d(px.subarray(i * 3072, (i + m) * 3072), [m, 32, 32, 3]), {
          training: false,
        }) as tf.Tensor,
    );
    out.set(e.dataSync() as Float32Array, i * dim);
    e.dispose();
  }
  return out;
};
const train = readSplit('train'),
  test = readSplit('test');
const nTrain = train.y.length,
  nTest = test.y.length;
const x = new Float32Array((nTrain + nTest) * dim);
x.set(embed(train.px, nTrain), 0);
x.set(embed(test.px, nTest), nTrain * dim);
net.model.dispose();

const head = new Int32Array([nTrain, nTest, dim, 10]);
const labels = Int32Array.from([...train.y, ...test.y]);
const half = Uint16Array.from(x, toHalf);
const out = arg('out', path.resolve(import.meta.dirname, 'fixtures/probe_embeddings.bin'));
writeFileSync(
  out,
  Buffer.concat([
    Buffer.from(head.buffer),
    Buffer.from(labels.buffer),
    Buffer.from(half.buffer, half.byteOffset, half.byteLength),
  ]),
);
console.log(`${out}: ${nTrain} + ${nTest} × ${dim}`);
