/**
 * Fused batch normalisation in training mode (Ioffe & Szegedy 2015) with an optional ReLU, as ONE
 * registered tfjs kernel with its own registered gradient kernel, so a training step does 2 passes
 * over the activation forward (statistics; normalise + scale/shift + ReLU) and 2 backward (the
 * per-channel sums Σg, Σg·x̂; the input gradient with the ReLU mask folded in), where the composed
 * path (tf.moments + tf.batchNorm + relu, differentiated op by op) runs ~25 ops, several of them
 * tiles of per-channel vectors to the activation's size.
 *
 * Kernels: cpu and wasm run the loops of loops.ts on the backend's memory (cpu-wasm.ts); webgpu runs
 * WGSL programs with two-stage reductions (src/ml/kernels/webgpu/batch-norm-act.ts). Any other
 * backend (webgl) takes the composed path, same results. Registration is lazy and idempotent: the
 * first call on a backend installs its kernels.
 *
 * Gradients flow through `y` only; `mean`, `variance` and `invstd` are statistics for the caller's
 * running averages (and what the backward kernel reuses) and carry no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuBackward, cpuForward, wasmBackward, wasmForward } from './cpu-wasm';
import { BN_ACT_GRAD, BN_ACT_TRAIN, type BatchNormActAttrs } from './kernel-names';
import {
  webgpuBatchNormActBackward,
  webgpuBatchNormActForward,
} from '../../kernels/webgpu/batch-norm-act';

export { BN_ACT_GRAD, BN_ACT_TRAIN, type BatchNormActAttrs } from './kernel-names';

const KERNELS: Record<string, { forward: tf.KernelFunc; backward: tf.KernelFunc }> = {
  cpu: { forward: cpuForward, backward: cpuBackward },
  wasm: { forward: wasmForward, backward: wasmBackward },
  webgpu: { forward: webgpuBatchNormActForward, backward: webgpuBatchNormActBackward },
};

let gradientRegistered = false;

/**
 * Installs the fused kernels for `backendName` (default: the active backend) and the gradient.
 * Idempotent. Returns false when simlab has no fused kernel for that backend.
 */
export function registerBatchNormActKernels(backendName: string = tf.getBackend()): boolean {
  const k = KERNELS[backendName];
  if (!k) return false;
  if (tf.getKernel(BN_ACT_TRAIN, backendName)?.kernelFunc !== k.forward) {
    if (tf.getKernel(BN_ACT_TRAIN, backendName)) tf.unregisterKernel(BN_ACT_TRAIN, backendName);
    tf.registerKernel({ kernelName: BN_ACT_TRAIN, backendName, kernelFunc: k.forward });
  }
  if (tf.getKernel(BN_ACT_GRAD, backendName)?.kernelFunc !== k.backward) {
    if (tf.getKernel(BN_ACT_GRAD, backendName)) tf.unregisterKernel(BN_ACT_GRAD, backendName);
    tf.registerKernel({ kernelName: BN_ACT_GRAD, backendName, kernelFunc: k.backward });
  }
  if (!gradientRegistered) {
    gradientRegistered = true;
    tf.registerGradient({
      kernelName: BN_ACT_TRAIN,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [true, true, false, true],
      gradFunc: (dys, saved, attrs) => {
        const dy = Array.isArray(dys) ? dys[0] : dys;
        const [x, gamma, y, mean, invstd] = saved;
        if (dy == null) {
          // Only the statistics were used downstream: they carry no gradient.
          return {
            x: () => tf.zerosLike(x),
            gamma: () => tf.zerosLike(gamma),
            beta: () => tf.zerosLike(gamma),
          };
        }
        const [dx, dgamma, dbeta] = tf
          .engine()
          .runKernel(BN_ACT_GRAD, { dy, x, y, gamma, mean, invstd }, attrs) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      },
    });
  }
  return true;
}

/** What batchNormActTrain returns; the caller disposes all four. */
export interface BatchNormActResult {
  /** Normalised, scaled, shifted (and ReLU'd) x: x's shape. */
  y: tf.Tensor;
  /** Per-channel batch mean [C]. */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance [C] (divide by n, as the normalisation uses). */
  variance: tf.Tensor1D;
  /** 1/√(variance + epsilon) [C]. */
  invstd: tf.Tensor1D;
}

/**
 * Batch norm with batch statistics over all axes but the last: x [..., C] (at least 2 values per
 * channel), gamma, beta [C] → y = act((x − mean)·invstd·gamma + beta), act = ReLU when `relu`.
 * Differentiable w.r.t. x, gamma, beta through y. Caller owns the outputs.
 */
export function batchNormActTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  attrs: BatchNormActAttrs,
): BatchNormActResult {
  const c = x.shape[x.shape.length - 1];
  if (x.rank < 2 || gamma.size !== c || beta.size !== c) {
    throw new Error(
      `batchNormActTrain: x [..., C] with gamma, beta [C]; got x [${x.shape}], gamma [${gamma.shape}], beta [${beta.shape}]`,
    );
  }
  if (x.size / c < 2) {
    throw new Error(
      `batchNormActTrain: needs more than 1 value per channel (got input shape [${x.shape}])`,
    );
  }
  if (!registerBatchNormActKernels()) return composedBatchNormAct(x, gamma, beta, attrs);
  const [y, mean, variance, invstd] = tf
    .engine()
    .runKernel(BN_ACT_TRAIN, { x, gamma, beta }, { ...attrs }) as tf.Tensor[];
  return {
    y,
    mean: mean as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
    invstd: invstd as tf.Tensor1D,
  };
}

/**
 * The same op composed of stock tfjs ops (tf.moments, tf.batchNorm, tf.relu): the fallback for
 * backends without a fused kernel, and the reference the fused kernels are tested against.
 */
export function composedBatchNormAct(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  attrs: BatchNormActAttrs,
): BatchNormActResult {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const out = tf.tidy(() => {
    const bn = tf.batchNorm(x, mean, variance, beta, gamma, attrs.epsilon);
    return {
      y: attrs.relu ? tf.relu(bn) : bn,
      invstd: tf.rsqrt(tf.add(variance, attrs.epsilon)) as tf.Tensor1D,
    };
  });
  return {
    y: out.y,
    mean: mean as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
    invstd: out.invstd,
  };
}
