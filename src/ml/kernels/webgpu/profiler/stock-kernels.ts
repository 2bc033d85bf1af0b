/**
 * Runs work with tfjs-backend-webgpu's own kernels in place of any simlab registered over them, so a
 * profile of stock tfjs ("before") and of simlab's kernels ("after") come from the same build.
 *
 * The stock configs are tfjs-backend-webgpu 4.22's own exports (dist/kernels/*.js), for each kernel
 * simlab overrides or may override on webgpu; add a name here when simlab registers a new one.
 * Ops that simlab routes differently above the kernel registry (its own tf.customOp) are not
 * switched by this and show up as their own program classes in both sets.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/DepthwiseConv2dNativeBackpropInput';
import { fusedBatchNormConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/FusedBatchNorm';

export type KernelSet = 'stock' | 'current';

const STOCK: tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  fusedBatchNormConfig,
];

/** webgpu kernel names whose registered config is not tfjs-backend-webgpu's own. */
export function nonStockKernels(): string[] {
  return STOCK.filter((c) => tf.getKernel(c.kernelName, 'webgpu') !== c).map((c) => c.kernelName);
}

/** Runs `work` with the given kernel set registered on webgpu; the registry is restored after. */
export async function withKernelSet<T>(set: KernelSet, work: () => Promise<T>): Promise<T> {
  if (set === 'current') return work();
  const saved: tf.KernelConfig[] = [];
  for (const c of STOCK) {
    const now = tf.getKernel(c.kernelName, 'webgpu');
    if (now === c) continue;
    if (now) {
      saved.push(now as tf.KernelConfig);
      tf.unregisterKernel(c.kernelName, 'webgpu');
    }
    tf.registerKernel(c);
  }
  try {
    return await work();
  } finally {
    for (const c of saved) {
      tf.unregisterKernel(c.kernelName, 'webgpu');
      tf.registerKernel(c);
    }
  }
}
