/**
 * Every op with FIXED parameters against torchvision.transforms.functional 0.14 on real images
 * (tests/reference/augment_reference.py → tests/reference/fixtures/augment.json).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from './color-jitter';
import { gaussianBlur } from './gaussian-blur';
import { horizontalFlip } from './horizontal-flip';
import { normalize } from './normalize';
import { randomGrayscale } from './random-grayscale';
import { resizedCrop } from './random-resized-crop';
import { rotate } from './rotation';
import { solarize } from './solarize';

interface Case {
  op: string;
  params: Record<string, number | number[]>;
  shape: [number, number, number, number];
  output: number[];
}
interface Fixture {
  script: string;
  scriptSha256: string;
  versions: Record<string, string>;
  inputShape: [number, number, number, number];
  inputUint8: number[];
  cases: Case[];
}

const root = resolve(__dirname, '../../../..');
const fixture = JSON.parse(
  readFileSync(resolve(root, 'tests/reference/fixtures/augment.json'), 'utf8'),
) as Fixture;
const TOL = 2 / 255;

let input: tf.Tensor4D;
const n = fixture.inputShape[0];
const all = <T>(v: T): T[] => Array.from({ length: n }, () => v);

function run(c: Case): tf.Tensor4D {
  const p = c.params as Record<string, number>;
  switch (c.op) {
    case 'resized-crop':
      return resizedCrop(
        input,
        all({ top: p.top, left: p.left, height: p.height, width: p.width }),
        p.size,
      );
    case 'hflip':
      return horizontalFlip(input, all(true));
    case 'rotate':
      return rotate(input, all(p.angle));
    case 'brightness':
      return adjustBrightness(input, all(p.factor));
    case 'contrast':
      return adjustContrast(input, all(p.factor));
    case 'saturation':
      return adjustSaturation(input, all(p.factor));
    case 'hue':
      return adjustHue(input, all(p.factor));
    case 'grayscale':
      return randomGrayscale(input, all(true));
    case 'gaussian-blur':
      return gaussianBlur(input, all(p.sigma), p.kernelSize);
    case 'solarize':
      return solarize(input, all(true), p.threshold);
    case 'normalize': {
      const q = c.params as { mean: [number, number, number]; std: [number, number, number] };
      return normalize(input, q.mean, q.std);
    }
    default:
      throw new Error(`no op for fixture case ${c.op}`);
  }
}

/** Mean and max abs error; `border` > 0 leaves that many outer rows/columns out of the max. */
function errors(c: Case, border = 0): { mae: number; max: number } {
  const out = run(c);
  expect(out.shape).toEqual(c.shape);
  const got = out.dataSync();
  out.dispose();
  const [, h, w, ch] = c.shape;
  let sum = 0;
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - c.output[i]);
    sum += d;
    const y = Math.floor(i / (w * ch)) % h;
    const x = Math.floor(i / ch) % w;
    if (y >= border && y < h - border && x >= border && x < w - border) max = Math.max(max, d);
  }
  return { mae: sum / got.length, max };
}

/** An upsampled crop that does not touch the image border (see random-resized-crop.ts on alignment). */
const isInteriorUpsample = (c: Case): boolean =>
  c.op === 'resized-crop' &&
  (c.params.height as number) < (c.params.size as number) &&
  (c.params.top as number) > 0;

beforeAll(async () => {
  await useWasmBackend();
  input = tf.tidy(() =>
    tf.tensor4d(Float32Array.from(fixture.inputUint8), fixture.inputShape).div(255),
  ) as tf.Tensor4D;
});

describe('augment fixture', () => {
  it('was written by the committed script (sha256 matches)', () => {
    const sha = createHash('sha256')
      .update(readFileSync(resolve(root, fixture.script)))
      .digest('hex');
    expect(sha).toBe(fixture.scriptSha256);
    expect(fixture.versions.torchvision).toMatch(/^0\.14/);
  });
});

describe('ops match torchvision.transforms.functional', () => {
  for (const c of fixture.cases) {
    it(`${c.op} ${JSON.stringify(c.params)}: mean abs error ≤ 2/255`, () => {
      // The outermost row/column of an interior upsampled crop reads the true neighbour pixel where
      // torchvision clamps to the crop edge; everything else matches to the fixture's 4 decimals.
      const { mae, max } = errors(c, isInteriorUpsample(c) ? 1 : 0);
      expect(mae).toBeLessThanOrEqual(TOL);
      expect(max).toBeLessThan(2e-4);
    });
  }

  it('covers every op and an interior upsampled crop', () => {
    const ops = new Set(fixture.cases.map((c) => c.op));
    expect([...ops].sort()).toEqual([
      'brightness',
      'contrast',
      'gaussian-blur',
      'grayscale',
      'hflip',
      'hue',
      'normalize',
      'resized-crop',
      'rotate',
      'saturation',
      'solarize',
    ]);
    expect(fixture.cases.some(isInteriorUpsample)).toBe(true);
  });
});
