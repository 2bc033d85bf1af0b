/**
 * What simlab's WebGPU programs share: the tfjs-backend-webgpu 4.22 program interface they implement
 * (run through backend.runWebGPUProgram), the cost figures each reports for the dry-run profiler,
 * and small dispatch helpers. Type-only imports from tfjs-backend-webgpu, so Node can load this.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * Work of one program launch, for the profiler (the interface documented in
 * src/ml/kernels/webgpu/profiler/program-costs.ts, "DeclaredCost").
 */
export interface ProgramCost {
  /** Longest serial chain of one invocation: multiply-adds, or element steps when memoryBound. */
  serialMacs: number;
  /** Useful multiply-adds of the whole launch (0 for a memory-bound pass). */
  macs: number;
  /** Compulsory traffic: each input tensor read once, 4 bytes per element. */
  bytesRead: number;
  /** Bytes written (the output once). */
  bytesWritten: number;
  memoryBound: boolean;
  /** Element steps of a memory-bound pass (defaults to the output size in the profiler). */
  work?: number;
  flops?: number;
}

/** Elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tfjs WebGPU program of simlab's with its cost. */
export interface SimlabProgram extends WebGPUProgram {
  cost(): ProgramCost;
}

/** The webgpu backend handed to a kernelFunc (tfjs types it as the generic KernelBackend). */
export function asWebGpu(backend: unknown): WebGPUBackend {
  return backend as WebGPUBackend;
}

export type Dispatch = [number, number, number];

/**
 * Workgroup counts for a flat launch of `n` invocations in groups of `wg`: x up to 65,535 groups,
 * the rest in y (the program recovers the index as tfjs' getGlobalIndex() does).
 */
export function flatDispatch(n: number, wg: number): Dispatch {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** Invocations a dispatch launches. */
export function invocations(dispatch: Dispatch, workgroupSize: Dispatch): number {
  return (
    dispatch[0] * dispatch[1] * dispatch[2] * workgroupSize[0] * workgroupSize[1] * workgroupSize[2]
  );
}

/** Runs `program` on `inputs` into a new float32 tensor of program.outputShape. */
export function run(
  backend: WebGPUBackend,
  program: SimlabProgram,
  inputs: tf.TensorInfo[],
  uniforms: { type: 'int32' | 'float32' | 'uint32'; data: number[] }[],
): tf.TensorInfo {
  return backend.runWebGPUProgram(program, inputs, 'float32', uniforms as never);
}
