/**
 * The plain-data types of a GPU-readiness profile (readiness.ts makes them, the worker's
 * benchGpuProfile returns them, bench/ reads them). No tfjs: worker/api.ts imports them.
 */
import type { MethodName } from '../../../methods/method-names';

/** Totals per program class. */
export interface KernelKindRow {
  kernel: string;
  dispatches: number;
  flops: number;
  bytes: number;
}

/** One distinct program (class + key + uniforms) with its per-dispatch cost and its totals. */
export interface ProgramRow {
  kernel: string;
  op: string;
  key: string;
  dispatches: number;
  /** Invocations launched per dispatch (workgroups × workgroup size). */
  invocations: number;
  /** Per dispatch: multiply-adds, or elements when memory-bound. */
  work: number;
  /** Longest serial chain of one invocation, same unit as work. */
  serial: number;
  parallelism: number;
  memoryBound: boolean;
  /** Totals over its dispatches. */
  flops: number;
  bytes: number;
}

export interface GpuStepProfile {
  dispatches: number;
  flops: number;
  bytesRead: number;
  bytesWritten: number;
  peakGpuBytes: number;
  kinds: KernelKindRow[];
  /** The smallest parallelism among programs with ≥ 1% of the FLOPs or of the bytes. */
  minParallelism: ProgramRow;
  /** The program with the longest serial chain of one invocation (any share). */
  maxSerial: ProgramRow;
  /** Every distinct program, by FLOPs then bytes, descending. */
  programs: ProgramRow[];
}

export interface GpuProfileRequest {
  method: MethodName;
  backbone: Record<string, unknown>;
  batch: number;
  /** 'stock': tfjs-backend-webgpu's kernels only; 'current': simlab's registered ones too. */
  kernels: 'stock' | 'current';
  mode: 'dry' | 'real';
  /** Steps before the recorded one (default 1: optimiser slots exist). */
  warmup?: number;
  /** Only the dispatch list, no costs (comparing a dry run with a real step needs no formulas). */
  listOnly?: boolean;
}

export interface GpuProfileResult {
  /** null when listOnly, or when a program had no cost formula (see costError). */
  profile: GpuStepProfile | null;
  /** Why the profile could not be costed: the program classes with no formula and no cost(). */
  costError: string | null;
  /** `kernel|key` of every dispatch of the recorded step, in order. */
  list: string[];
  /** Most GPU bytes resident at once during the recorded step (dry: placeholders accounted). */
  peakGpuBytes: number;
  /** GPU bytes resident when the recorded step began. */
  startGpuBytes: number;
  /** Bytes uploaded from JavaScript arrays to the GPU in the recorded step. */
  uploadBytes: number;
  /** Wall milliseconds of the profile's phases (model build, warm-up steps, recorded step, disposal). */
  phaseMs: Record<string, number>;
  /** Host milliseconds per tfjs kernel (self time) in the recorded step. */
  hostMsByOp: Record<string, number>;
  backend: string;
  /** webgpu kernels registered over tfjs' own while the step ran. */
  nonStockKernels: string[];
  /** Wall time of the recording (warm-up included). */
  seconds: number;
}
