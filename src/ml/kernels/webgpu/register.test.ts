import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import {
  registerWebGpuTrainingKernels,
  WEBGPU_TRAINING_KERNEL_NAMES,
  webgpuTrainingKernelsRegistered,
} from './register';
import { stockKernel } from './stock-kernels';

describe('registerWebGpuTrainingKernels', () => {
  it("replaces the stock 'webgpu' kernels once, keeping them for delegation", () => {
    const stock = WEBGPU_TRAINING_KERNEL_NAMES.map((k) => tf.getKernel(k, 'webgpu')?.kernelFunc);
    expect(stock.every((f) => typeof f === 'function')).toBe(true);
    expect(webgpuTrainingKernelsRegistered()).toBe(false);
    expect(registerWebGpuTrainingKernels()).toEqual([...WEBGPU_TRAINING_KERNEL_NAMES]);
    expect(webgpuTrainingKernelsRegistered()).toBe(true);
    WEBGPU_TRAINING_KERNEL_NAMES.forEach((k, i) => {
      expect(tf.getKernel(k, 'webgpu')?.kernelFunc).not.toBe(stock[i]);
      expect(stockKernel(k)).toBe(stock[i]);
    });
    // Idempotent: a second call installs nothing and keeps the recorded stock kernels.
    expect(registerWebGpuTrainingKernels()).toEqual([]);
    WEBGPU_TRAINING_KERNEL_NAMES.forEach((k, i) => expect(stockKernel(k)).toBe(stock[i]));
  });
});
