/**
 * Registers simlab's training kernels on tfjs' 'wasm' backend: Conv2DBackpropFilter and the two
 * depthwise backprop kernels (missing in tfjs-backend-wasm 4.22) and a fast Conv2DBackpropInput
 * (replacing wasm's ~2.5 GFLOP/s loop), composed of fast wasm ops (XNNPACK conv / matmul); and a
 * MaxPoolGrad written as one JS pass over the wasm heap (replacing wasm's slow one).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { depthwiseBackpropFilterKernel } from './depthwise-backprop-filter';
import { depthwiseBackpropInputKernel } from './depthwise-backprop-input';
import { maxPoolGradKernel } from './max-pool-grad';

const KERNELS: readonly { kernelName: string; kernelFunc: tf.KernelFunc }[] = [
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInputKernel },
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterKernel },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseBackpropInputKernel },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseBackpropFilterKernel },
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGradKernel },
];

/** Names of the kernels registerWasmTrainingKernels() installs for 'wasm'. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = KERNELS.map((k) => k.kernelName);

/**
 * Installs the kernels for backendName 'wasm' (idempotent; replaces wasm's own Conv2DBackpropInput).
 * Call after '@tensorflow/tfjs-backend-wasm' has been imported (its import registers its kernels and
 * would overwrite ours), e.g. right after tf.setBackend('wasm') resolves. Returns the names installed now.
 */
export function registerWasmTrainingKernels(): string[] {
  const installed: string[] = [];
  for (const { kernelName, kernelFunc } of KERNELS) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    installed.push(kernelName);
  }
  return installed;
}

/** Whether all of simlab's wasm training kernels are the ones registered now. */
export function wasmTrainingKernelsRegistered(): boolean {
  return KERNELS.every(
    ({ kernelName, kernelFunc }) => tf.getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc,
  );
}
