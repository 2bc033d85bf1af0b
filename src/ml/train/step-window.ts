/**
 * The Trainer's read-back of a window of steps: the scalars each step left on the device (loss,
 * method extras, per-layer gradient norms every few steps) read back with one `await data()` per
 * kind, so a window of many steps costs a few round trips instead of one per step.
 */
import * as tf from '@tensorflow/tfjs';

/** Scalars of one step waiting to be read back (owned by the window until read or disposed). */
export interface PendingStep {
  loss: tf.Scalar;
  extra: Record<string, tf.Scalar>;
  gradNorms?: Record<string, tf.Scalar>;
}

/** A window's values on the host: per-step losses and extras, and the window's last gradient norms. */
export interface StepWindowValues {
  losses: Float32Array;
  extras: Record<string, Float32Array>;
  gradNorms?: Record<string, number>;
}

/**
 * Reads a non-empty window back: [loss, ...extras, gradNorms?] each stacked over the window's steps.
 * Disposes every scalar of `pending` (also when reading fails).
 */
export async function readStepWindow(pending: PendingStep[]): Promise<StepWindowValues> {
  const keys = Object.keys(pending[0].extra);
  const gn = pending.filter((p) => p.gradNorms).at(-1)?.gradNorms;
  const gnKeys = gn ? Object.keys(gn) : [];
  const extras: Record<string, Float32Array> = {};
  let gradNorms: Record<string, number> | undefined;
  try {
    const stacked: tf.Tensor[] = tf.tidy(() => [
      tf.stack(pending.map((p) => p.loss)),
      ...keys.map((k) => tf.stack(pending.map((p) => p.extra[k]))),
      ...(gn ? [tf.stack(gnKeys.map((k) => gn[k]))] : []),
    ]);
    try {
      const losses = (await stacked[0].data()) as Float32Array;
      for (let i = 0; i < keys.length; i++)
        extras[keys[i]] = (await stacked[1 + i].data()) as Float32Array;
      if (gn) {
        const g = await stacked[1 + keys.length].data();
        gradNorms = Object.fromEntries(gnKeys.map((k, i) => [k, g[i]]));
      }
      return gradNorms ? { losses, extras, gradNorms } : { losses, extras };
    } finally {
      tf.dispose(stacked);
    }
  } finally {
    disposePending(pending);
  }
}

/** Frees the scalars of steps that will not be read back. */
export function disposePending(pending: PendingStep[]): void {
  for (const p of pending)
    tf.dispose([p.loss, ...Object.values(p.extra), ...Object.values(p.gradNorms ?? {})]);
}
