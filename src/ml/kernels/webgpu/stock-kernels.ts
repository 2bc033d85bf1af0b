/**
 * tfjs-backend-webgpu's own kernelFuncs that register.ts replaced, kept so simlab's kernels can
 * hand back the cases the stock ones already do well.
 */
import type * as tf from '@tensorflow/tfjs';

export const stockKernels = new Map<string, tf.KernelFunc>();

/** The stock kernelFunc for `kernelName`; throws if register.ts has not replaced it. */
export function stockKernel(kernelName: string): tf.KernelFunc {
  const f = stockKernels.get(kernelName);
  if (!f) throw new Error(`no stock webgpu kernel recorded for ${kernelName}`);
  return f;
}
