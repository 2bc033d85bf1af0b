/**
 * Dispatches a WGSL program whose storage buffers are all read_write, on tfjs-backend-webgpu's own
 * command encoder and compute pass (so it is ordered with the backend's kernels). tfjs'
 * runWebGPUProgram binds one output and read-only inputs; an optimiser step writes the parameter
 * and its state together, in place, so it needs this. Leans on WebGPUBackend 4.22 internals
 * (tensorMap, tensorToBinding, makeUniforms, the pass encoder): keep in step with backend_webgpu.js
 * recordAndSubmit.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProgramCost } from './program';

interface TensorData {
  resource: unknown;
  values: unknown;
  refCount: number;
  external?: boolean;
}

interface GpuPipeline {
  getBindGroupLayout(i: number): unknown;
}

interface GpuDevice {
  createShaderModule(d: { code: string; label?: string }): unknown;
  createComputePipeline(d: unknown): GpuPipeline;
  createBindGroup(d: unknown): unknown;
}

interface PassEncoder {
  setPipeline(p: GpuPipeline): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y: number, z: number): void;
}

/** The parts of WebGPUBackend (4.22) this module uses. */
interface BackendInternals {
  device: GpuDevice;
  tensorMap: { get(id: tf.DataId): TensorData };
  refCount(id: tf.DataId): number;
  uploadToGPU(id: tf.DataId): void;
  tensorToBinding(t: tf.TensorInfo): unknown;
  makeUniforms(u: { type: string; data: number[] }[]): unknown;
  commandQueueOwnedIds: WeakSet<object>;
  ensureCommandEncoderReady(): void;
  commandEncoder: { beginComputePass(d: object): PassEncoder };
  computePassEncoder: PassEncoder | null;
  dispatchCountInPass: number;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const pipelines = new WeakMap<GpuDevice, Map<string, GpuPipeline>>();

/** One dispatch made here: its pipeline key (also the GPU pipeline's label), workgroups and cost. */
export interface ReadWriteDispatch {
  key: string;
  dispatch: [number, number, number];
  cost: ProgramCost;
}

/**
 * Called before each dispatch (these bypass runWebGPUProgram, so the profiler cannot see their
 * program objects): add a listener to record them with their declared costs.
 */
export const readWriteDispatchListeners = new Set<(d: ReadWriteDispatch) => void>();

/** The active webgpu backend's internals, or null when another backend is active. */
export function webgpuInternals(): BackendInternals | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return tf.backend() as unknown as BackendInternals;
}

/** Whether `t`'s buffer may be written in place (no other tensor shares it, not an external buffer). */
export function writableInPlace(b: BackendInternals, t: tf.TensorInfo): boolean {
  const d = b.tensorMap.get(t.dataId);
  return b.refCount(t.dataId) === 1 && !d.external;
}

/**
 * Runs `code` (entry point `main`; bindings 0..n−1 the buffers of `tensors` in order, binding n the
 * uniforms struct) over `dispatch` workgroups; `cost` goes to readWriteDispatchListeners. Buffers the shader writes must be writableInPlace;
 * their CPU-side copies are dropped so the next read downloads the new values.
 */
export function dispatchReadWrite(
  b: BackendInternals,
  key: string,
  code: string,
  tensors: tf.TensorInfo[],
  written: boolean[],
  uniforms: { type: 'float32' | 'int32' | 'uint32'; data: number[] }[],
  dispatch: [number, number, number],
  cost: ProgramCost,
): void {
  for (const l of readWriteDispatchListeners) l({ key, dispatch, cost });
  let cache = pipelines.get(b.device);
  if (!cache) pipelines.set(b.device, (cache = new Map()));
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = b.device.createShaderModule({ code, label: key });
    pipeline = b.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    cache.set(key, pipeline);
  }
  for (const t of tensors) b.uploadToGPU(t.dataId);
  const entries = [
    ...tensors.map((t, i) => ({ binding: i, resource: b.tensorToBinding(t) })),
    { binding: tensors.length, resource: b.makeUniforms(uniforms) },
  ];
  for (const t of tensors) b.commandQueueOwnedIds.add(t.dataId);
  const bindGroup = b.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  b.ensureCommandEncoderReady();
  if (!b.computePassEncoder) b.computePassEncoder = b.commandEncoder.beginComputePass({});
  b.computePassEncoder.setPipeline(pipeline);
  b.computePassEncoder.setBindGroup(0, bindGroup);
  b.computePassEncoder.dispatchWorkgroups(dispatch[0], dispatch[1], dispatch[2]);
  b.dispatchCountInPass++;
  if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= b.dispatchCountInPass) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  tensors.forEach((t, i) => {
    if (written[i]) b.tensorMap.get(t.dataId).values = null;
  });
}
