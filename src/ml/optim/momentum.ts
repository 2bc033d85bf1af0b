/** Exponential moving averages of weights: BYOL's target network and MoCo's key encoder. */
import * as tf from '@tensorflow/tfjs';

/**
 * In place: target ← τ·target + (1−τ)·online for each pair (same order and shapes). BYOL eq. 1
 * (Grill et al. 2020) and MoCo's momentum update θk ← mθk + (1−m)θq (He et al. 2020, eq. 2).
 * Disposes its temporaries; the variables stay owned by their models.
 */
export function emaUpdate(target: tf.Variable[], online: tf.Variable[], tau: number): void {
  if (target.length !== online.length) {
    throw new Error(`emaUpdate: ${target.length} target vs ${online.length} online variables`);
  }
  tf.tidy(() => {
    for (let i = 0; i < target.length; i++) {
      const t = target[i];
      const o = online[i];
      if (t.shape.join(',') !== o.shape.join(',')) {
        throw new Error(`emaUpdate: shape mismatch at ${i}: [${t.shape}] vs [${o.shape}]`);
      }
      t.assign(tf.add(tf.mul(t, tau), tf.mul(o, 1 - tau)));
    }
  });
}

/**
 * BYOL's target decay at step k of K: τ = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2 (Grill et al. 2020, §3.2),
 * so τ = τ_base at k = 0 rising to 1 at k = K. k is clamped to [0, K].
 */
export function byolTau(step: number, totalSteps: number, tauBase: number): number {
  const k = Math.min(Math.max(step, 0), Math.max(totalSteps, 1));
  return 1 - ((1 - tauBase) * (Math.cos((Math.PI * k) / Math.max(totalSteps, 1)) + 1)) / 2;
}
