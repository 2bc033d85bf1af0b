/**
 * Per-image input standardisation for the pair models: each image's channels are shifted to mean 0
 * and scaled to standard deviation 1 over its pixels (tf.image.per_image_standardization, per
 * channel; instance norm on the input). On the shapes pairs the background colour is the largest
 * nuisance; removing each image's own colour statistics leaves mostly the shape's outline, and a
 * linear probe on random-init ConvNet features tells circle from square markedly better.
 */
import * as tf from '@tensorflow/tfjs';

export { INPUT_NORM_KINDS, type InputNormKind } from './types';
import { INPUT_NORM_KINDS, type InputNormKind } from './types';

/** Added to each channel's variance: keeps a flat channel finite (its values become 0). */
const VARIANCE_EPS = 1e-4;

/** (x − mean) / √(var + ε) per image and channel, over height and width: [N,H,W,C] → [N,H,W,C]; caller owns. */
export function standardizePerImage(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, VARIANCE_EPS))) as tf.Tensor4D;
  });
}

/** Applies `kind` to x: 'none' returns x itself (not a copy), 'per-image' a new tensor the caller owns. */
export function normalizeInput(x: tf.Tensor4D, kind: InputNormKind): tf.Tensor4D {
  if (kind === 'none') return x;
  if (kind === 'per-image') return standardizePerImage(x);
  throw new Error(
    `unknown input normalisation ${JSON.stringify(kind)}; valid: ${INPUT_NORM_KINDS.join(', ')}`,
  );
}
