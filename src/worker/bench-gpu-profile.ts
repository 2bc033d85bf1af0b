/**
 * The GPU-readiness profile of one training step on the webgpu backend (bench/ and browser tests
 * only): ml/kernels/webgpu/profiler records every dispatch of the step, dry (nothing runs) or real,
 * and summarises it. Loaded on first use so the worker's start-up bundle does not carry it.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackboneConfigInput } from '../ml/models/backbones';
import type {
  GpuProfileRequest,
  GpuProfileResult,
  GpuStepProfile,
} from '../ml/kernels/webgpu/profiler/profile-types';

export type {
  GpuProfileRequest,
  GpuProfileResult,
} from '../ml/kernels/webgpu/profiler/profile-types';

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
