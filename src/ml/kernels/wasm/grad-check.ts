/**
 * Test support: gradients of a conv / depthwise conv computed with tf.grads on whichever backend
 * is active, from seeded data (createRng), so a wasm result can be compared with the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../rng';

export interface ConvCase {
  name: string;
  /** x shape [N,H,W,C]. */
  x: [number, number, number, number];
  /** Filter [KH,KW,Ci,Co] (conv) or [KH,KW,C,M] (depthwise). */
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | tf.backend_util.ExplicitPadding;
}

export interface ConvGrads {
  dx: Float32Array;
  dw: Float32Array;
  y: Float32Array;
}

function seeded(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(shape.reduce((p, q) => p * q, 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** y = conv(x, w) and (dx, dw) of sum(y * g) for seeded x, w, g, on the active backend. */
export async function convGrads(
  kind: 'conv' | 'depthwise',
  c: ConvCase,
  seed = 1,
): Promise<ConvGrads> {
  const x = tf.tensor4d(seeded(c.x, seed), c.x);
  const w = tf.tensor4d(seeded(c.filter, seed + 1), c.filter);
  const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
    kind === 'conv'
      ? tf.conv2d(a, b, c.strides, c.pad)
      : tf.depthwiseConv2d(a, b, c.strides, c.pad);
  const yShape = tf.tidy(() => f(x, w).shape);
  const g = tf.tensor4d(seeded(yShape, seed + 2), yShape);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), g)),
  )([x, w]);
  const y = f(x, w);
  const out = {
    dx: (await dx.data()) as Float32Array,
    dw: (await dw.data()) as Float32Array,
    y: (await y.data()) as Float32Array,
  };
  tf.dispose([x, w, g, dx, dw, y]);
  return out;
}

/** max |a - b| / max |b| (0 when both are all zeros). */
export function maxRelError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}
