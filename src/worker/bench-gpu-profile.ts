/**
 * The GPU-readiness profile of one training step on the webgpu backend (bench/ and browser tests
 * only): ml/kernels/webgpu/profiler records every dispatch of the step, dry (nothing runs) or real,
 * and summarises it. Loaded on first use so the worker's start-up bundle does not carry it.
 */
import * as tf from '@tensorflow/tfjs';
import type { MethodName } from '../ml/methods/method';
import type { BackboneConfigInput } from '../ml/models/backbones';
import type { GpuStepProfile } from '../ml/kernels/webgpu/profiler/readiness';

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

export async function benchGpuProfile(req: GpuProfileRequest): Promise<GpuProfileResult> {
  if (tf.getBackend() !== 'webgpu')
    throw new Error(`needs the webgpu backend (${tf.getBackend()})`);
  const [{ recordStep }, { dispatchId, summarise }, { nonStockKernels, withKernelSet }] =
    await Promise.all([
      import('../ml/kernels/webgpu/profiler/profile-step'),
      import('../ml/kernels/webgpu/profiler/readiness'),
      import('../ml/kernels/webgpu/profiler/stock-kernels'),
    ]);
  const t0 = performance.now();
  const rec = await recordStep(
    {
      method: req.method,
      backbone: req.backbone as BackboneConfigInput,
      batch: req.batch,
      kernels: req.kernels,
      warmup: req.warmup ?? 1,
    },
    req.mode,
  );
  const seconds = (performance.now() - t0) / 1000;
  const nonStock = await withKernelSet(req.kernels, async () => nonStockKernels());
  let profile: GpuStepProfile | null = null;
  let costError: string | null = null;
  if (!req.listOnly) {
    try {
      profile = summarise(rec);
    } catch (e) {
      costError = (e as Error).message;
    }
  }
  return {
    profile,
    costError,
    list: rec.dispatches.map(dispatchId),
    peakGpuBytes: rec.peakGpuBytes,
    startGpuBytes: rec.startGpuBytes,
    hostMsByOp: rec.hostMsByOp,
    phaseMs: rec.phaseMs,
    uploadBytes: rec.uploadBytes,
    backend: tf.getBackend(),
    nonStockKernels: nonStock,
    seconds,
  };
}
