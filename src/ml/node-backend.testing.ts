/**
 * Test helper: starts tfjs on the wasm backend in Node (10–50× faster than the pure-JS cpu backend).
 * Call `await useWasmBackend()` in `beforeAll`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './kernels/wasm/register';

export async function useWasmBackend(): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('could not start the tfjs wasm backend in Node');
  await tf.ready();
  // Conv2DBackpropFilter and the depthwise gradients are missing from tfjs-backend-wasm 4.22.
  registerWasmTrainingKernels();
}

export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() === 'cpu') return;
  await tf.setBackend('cpu');
  await tf.ready();
}
