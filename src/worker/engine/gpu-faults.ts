/**
 * GPU faults on tfjs's webgpu backend, and the test hooks that cause them.
 *
 * - A lost device: `GPUDevice.lost` resolves (driver reset, GPU removed, `destroy()`). Every later
 *   read-back fails or never answers.
 * - Out of GPU memory: tfjs opens no error scopes, so a `GPUOutOfMemoryError` arrives as the device's
 *   'uncapturederror' event; the buffers it failed to make are invalid and results are garbage.
 *
 * Both are unrecoverable for the device: the engine stops the run and starts a new backend
 * (engine/recovery.ts). Runs only in the worker (no Node tests: Node has no WebGPU here).
 */
import * as tf from '@tensorflow/tfjs';

interface GpuErrorLike {
  message: string;
}
interface DeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
  addEventListener(type: 'uncapturederror', l: (e: { error: GpuErrorLike }) => void): void;
  removeEventListener(type: 'uncapturederror', l: (e: { error: GpuErrorLike }) => void): void;
  dispatchEvent(e: Event): boolean;
}
interface GpuErrorClasses {
  GPUOutOfMemoryError?: new (message: string) => GpuErrorLike;
  GPUUncapturedErrorEvent?: new (type: string, init: { error: GpuErrorLike }) => Event;
}

export interface GpuFault {
  kind: 'lost' | 'out-of-memory';
  /** The browser's words (lost reason and message, or the error's message). */
  detail: string;
}

/** The GPUDevice of tfjs's active webgpu backend (null on any other backend). */
export function webGpuDevice(): DeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: DeviceLike }).device ?? null;
}

/**
 * Calls `onFault` once, on the first loss or out-of-memory error of the active webgpu device;
 * returns a function that stops watching (no-op on other backends).
 */
export function watchGpuDevice(onFault: (f: GpuFault) => void): () => void {
  const device = webGpuDevice();
  if (!device) return () => undefined;
  let done = false;
  const stop = () => {
    done = true;
    device.removeEventListener('uncapturederror', onError);
  };
  const fire = (f: GpuFault) => {
    if (done) return;
    stop();
    onFault(f);
  };
  const onError = (e: { error: GpuErrorLike }) => {
    const Oom = (globalThis as GpuErrorClasses).GPUOutOfMemoryError;
    if (Oom && e.error instanceof Oom) fire({ kind: 'out-of-memory', detail: e.error.message });
  };
  device.addEventListener('uncapturederror', onError);
  void device.lost.then((info) =>
    fire({ kind: 'lost', detail: info.message ? `${info.reason}: ${info.message}` : info.reason }),
  );
  return stop;
}

/**
 * Drops tfjs's webgpu backend instance (its device is gone) but keeps its factory, so the next
 * `setBackend('webgpu')` asks the browser for a new adapter and device. Kernels registered for
 * webgpu stay registered.
 */
export function resetWebGpuBackend(): void {
  const factory = tf.findBackendFactory('webgpu');
  if (!factory) return;
  tf.removeBackend('webgpu');
  // tfjs-backend-webgpu registers itself with priority 3.
  tf.registerBackend('webgpu', factory, 3);
}

/** Test hook: destroys the active webgpu device, as a driver reset would lose it. */
export function destroyGpuDevice(): void {
  const device = webGpuDevice();
  if (!device) throw new Error('the active backend is not webgpu: there is no GPU device to lose');
  device.destroy();
}

/**
 * Test hook: delivers a GPUOutOfMemoryError to the active webgpu device the way a failed buffer
 * allocation does (an 'uncapturederror' event, tfjs having no error scope open).
 */
export function injectGpuOutOfMemory(): void {
  const device = webGpuDevice();
  const g = globalThis as GpuErrorClasses;
  if (!device)
    throw new Error('the active backend is not webgpu: there is no GPU memory to run out of');
  if (!g.GPUOutOfMemoryError || !g.GPUUncapturedErrorEvent)
    throw new Error('this browser has no GPUOutOfMemoryError / GPUUncapturedErrorEvent');
  device.dispatchEvent(
    new g.GPUUncapturedErrorEvent('uncapturederror', {
      error: new g.GPUOutOfMemoryError('test hook: out of memory allocating a buffer'),
    }),
  );
}
