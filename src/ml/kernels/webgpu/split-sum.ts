/**
 * Second pass of a split-K reduction: out[i] = Σ_s partial[s, i] over the `splits` slices, summed
 * in slice order (deterministic). Used by the filter-gradient kernels (WGSL has no float atomics).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { flatDispatch, run, type Dispatch, type ProgramCost, type SimlabProgram } from './program';

const WG = 64;

export class SplitSumProgram implements SimlabProgram {
  outputShape: number[];
  shaderKey = 'simlabSplitSum';
  dispatchLayout: { x: number[] };
  dispatch: Dispatch;
  workgroupSize: Dispatch = [WG, 1, 1];
  variableNames = ['partial'];
  uniforms = 'splits : i32,';
  size = true;
  readonly #splits: number;

  /** outputShape: the summed tensor's shape; partial holds `splits` slices of that many floats. */
  constructor(outputShape: number[], splits: number) {
    this.outputShape = outputShape;
    this.#splits = splits;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatDispatch(sizeOf(outputShape), WG);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.splits; s++) {
            sum = sum + partial[s * uniforms.size + index];
          }
          setOutputAtIndex(index, sum);
        }
      }`;
  }

  cost(): ProgramCost {
    const n = sizeOf(this.outputShape);
    return {
      serialMacs: this.#splits,
      macs: 0,
      bytesRead: 4 * n * this.#splits,
      bytesWritten: 4 * n,
      memoryBound: true,
      work: n * this.#splits,
      flops: n * this.#splits,
    };
  }
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Sums `partial` ([splits, ...outputShape] floats) over its slices into a new tensor of
 * outputShape, and disposes `partial` (the caller's intermediate).
 */
export function sumSplits(
  backend: WebGPUBackend,
  partial: tf.TensorInfo,
  outputShape: number[],
  splits: number,
): tf.TensorInfo {
  const out = run(
    backend,
    new SplitSumProgram(outputShape, splits),
    [partial],
    [{ type: 'int32', data: [splits] }],
  );
  backend.disposeData(partial.dataId);
  return out;
}
