/**
 * Registers simlab's training kernels on tfjs' 'webgpu' backend (tfjs-backend-webgpu 4.22):
 * Conv2DBackpropFilter as a split-K implicit GEMM, Conv2DBackpropInput where the stock kernel is
 * weak (stride 2, few channels; it delegates the rest to the stock kernel), and the two depthwise
 * backprop kernels. The fused optimiser updates are not kernels: see optimizer-update.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebGpu } from './conv2d-backprop-filter';
import { conv2dBackpropInputWebGpu } from './conv2d-backprop-input';
import { depthwiseBackpropFilterWebGpu } from './depthwise-backprop-filter';
import { depthwiseBackpropInputWebGpu } from './depthwise-backprop-input';
import { stockKernels } from './stock-kernels';

const KERNELS: readonly { kernelName: string; kernelFunc: tf.KernelFunc }[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterWebGpu as tf.KernelFunc },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInputWebGpu as tf.KernelFunc },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    kernelFunc: depthwiseBackpropFilterWebGpu as tf.KernelFunc,
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    kernelFunc: depthwiseBackpropInputWebGpu as tf.KernelFunc,
  },
];

/** Names of the kernels registerWebGpuTrainingKernels() installs for 'webgpu'. */
export const WEBGPU_TRAINING_KERNEL_NAMES: readonly string[] = KERNELS.map((k) => k.kernelName);

/**
 * Installs the kernels for backendName 'webgpu' (idempotent), keeping the stock kernelFuncs for the
 * cases delegated back to them. Call after '@tensorflow/tfjs-backend-webgpu' has been imported (its
 * import registers its kernels), e.g. right after tf.setBackend('webgpu') resolves. Returns the
 * names installed now.
 */
export function registerWebGpuTrainingKernels(): string[] {
  const installed: string[] = [];
  for (const { kernelName, kernelFunc } of KERNELS) {
    const existing = tf.getKernel(kernelName, 'webgpu');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing) {
      stockKernels.set(kernelName, existing.kernelFunc);
      tf.unregisterKernel(kernelName, 'webgpu');
    }
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    installed.push(kernelName);
  }
  return installed;
}

/** Whether all of simlab's webgpu training kernels are the ones registered now. */
export function webgpuTrainingKernelsRegistered(): boolean {
  return KERNELS.every(
    ({ kernelName, kernelFunc }) => tf.getKernel(kernelName, 'webgpu')?.kernelFunc === kernelFunc,
  );
}
