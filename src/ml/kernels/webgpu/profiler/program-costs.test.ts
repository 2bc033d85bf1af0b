/**
 * The serial-chain formulas of three program classes (a matmul, a conv gradient, a reduction)
 * against counts made by hand from their WGSL (tfjs-backend-webgpu 4.22, dist/*_webgpu.js), each
 * also replayed as the shader's own loops; real program objects, no GPU needed.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2DDerFilterProgram } from '@tensorflow/tfjs-backend-webgpu/dist/conv_backprop_webgpu';
import { MatMulPackedProgram } from '@tensorflow/tfjs-backend-webgpu/dist/matmul_packed_webgpu';
import { ReduceProgram } from '@tensorflow/tfjs-backend-webgpu/dist/reduce_webgpu';
import { describe, expect, test } from 'vitest';
import { namedUniforms, type ProgramLike } from './dry-run';
import { declareDispatchCost, programCost, type CostInput } from './program-costs';

const f32 = (shape: number[]) => ({ shape, dtype: 'float32' as const });

function costInput(
  program: object,
  inputs: number[][],
  output: number[],
  uniforms: { data: number[] }[] = [],
): CostInput {
  const p = program as ProgramLike;
  const wg = p.workgroupSize;
  return {
    program: p,
    inputs: inputs.map(f32),
    output: f32(output),
    uniforms: namedUniforms(p.uniforms as string | undefined, uniforms),
    workgroupSize: wg,
    invocations: p.dispatch[0] * p.dispatch[1] * p.dispatch[2] * wg[0] * wg[1] * wg[2],
  };
}

describe('program costs', () => {
  test('MatMulPackedProgram: a 4×4 tile per invocation over K', () => {
    // [64×32]·[32×48]: vec4 path, 8×8 threads, each accumulating 4 rows × 4 columns for k < 32.
    const p = new MatMulPackedProgram([1, 64, 32], [1, 64, 48]);
    expect((p as unknown as { elementsPerThread: number[] }).elementsPerThread).toEqual([4, 4, 1]);
    const c = programCost(
      costInput(
        p,
        [
          [1, 64, 32],
          [1, 32, 48],
        ],
        [1, 64, 48],
        [{ data: [64] }, { data: [48] }, { data: [32] }],
      ),
    );
    expect(c.serial).toBe(4 * 4 * 32); // 512 multiply-adds in a row
    expect(c.macs).toBe(64 * 48 * 32); // 98,304
    expect(c.flops).toBe(2 * 98_304);
    // 2×2 workgroups of 64 launch 256 invocations; only 64·48/16 = 192 tiles exist.
    expect(p.dispatch).toEqual([2, 2, 1]);
    expect(c.work / c.serial).toBe(192);
    expect(c.bytesRead).toBe(4 * (64 * 32 + 32 * 48));
    expect(c.bytesWritten).toBe(4 * 64 * 48);
  });

  test('Conv2DDerFilterProgram: one invocation per weight, padding taps skipped', () => {
    // x [2,5,5,3], 3×3 filter to 4 channels, stride 2, 'same' (pad 1) → dy [2,3,3,4].
    const info = tf.backend_util.computeConv2DInfo([2, 5, 5, 3], [3, 3, 3, 4], 2, 1, 'same');
    const p = new Conv2DDerFilterProgram(info);
    const uniforms = [[1, 1], [2, 2], [2], [3], [3], [5], [5]].map((data) => ({ data }));
    const c = programCost(
      costInput(
        p,
        [
          [2, 5, 5, 3],
          [2, 3, 3, 4],
        ],
        [3, 3, 3, 4],
        uniforms,
      ),
    );
    // By hand: tap 0 reads x rows 2·y − 1 = −1, 1, 3 → 2 valid; tap 1: 0, 2, 4 → 3; tap 2: 1, 3, 5 → 2.
    // Longest chain: the centre weight, batch 2 × 3 × 3 = 18; all: 2·3·4 · (2+3+2)² = 1,176.
    expect(c.serial).toBe(18);
    expect(c.macs).toBe(1176);
    // The shader's loops, replayed.
    let longest = 0;
    let total = 0;
    for (let wR = 0; wR < 3; wR++)
      for (let wC = 0; wC < 3; wC++) {
        let n = 0;
        for (let b = 0; b < 2; b++)
          for (let yR = 0; yR < 3; yR++) {
            const xR = wR + yR * 2 - 1;
            if (xR < 0 || xR >= 5) continue;
            for (let yC = 0; yC < 3; yC++) {
              const xC = wC + yC * 2 - 1;
              if (xC < 0 || xC >= 5) continue;
              n++;
            }
          }
        longest = Math.max(longest, n);
        total += n * 3 * 4; // every (d1, d2) weight at this tap does the same
      }
    expect(c.serial).toBe(longest);
    expect(c.macs).toBe(total);
  });

  test('ReduceProgram: strided folds then a workgroup tree', () => {
    // 6 rows of 1,000: 64 threads per row (inSize < 4096).
    const p = new ReduceProgram(
      { windowSize: 1000, batchSize: 6, inSize: 1000, outSize: 1 },
      'sum',
      256,
    );
    expect(p.workgroupSize).toEqual([64, 1, 1]);
    const c = programCost(costInput(p, [[6, 1000]], [6], [{ data: [1000] }]));
    // By hand: thread 0 folds k = 0, 64, …, 960 (16 values), then 64 → 32 → … → 1 is 6 steps.
    expect(c.serial).toBe(16 + 6);
    expect(c.work).toBe(6000);
    expect(c.memoryBound).toBe(true);
    let folds = 0;
    for (let t = 0; t < 64; t++) {
      let n = 0;
      for (let k = t; k < 1000; k += 64) n++;
      folds = Math.max(folds, n);
    }
    let tree = 0;
    for (let r = 64; r > 1; r = Math.ceil(r / 2)) tree++;
    expect(c.serial).toBe(folds + tree);
  });

  test('a class with no formula fails; a class with cost() is taken at its word', () => {
    class MysteryProgram {
      outputShape = [4];
      shaderKey = 'mystery';
      dispatch: [number, number, number] = [1, 1, 1];
      dispatchLayout = { x: [0] };
      workgroupSize: [number, number, number] = [4, 1, 1];
      variableNames = ['x'];
    }
    expect(() => programCost(costInput(new MysteryProgram(), [[4]], [4]))).toThrow(
      /no cost formula for WebGPU program class 'MysteryProgram'/,
    );
    class OwnProgram extends MysteryProgram {
      cost() {
        return { serialMacs: 8, macs: 32, bytesRead: 64, bytesWritten: 16 };
      }
    }
    const c = programCost(costInput(new OwnProgram(), [[4]], [4]));
    expect(c).toEqual({
      work: 32,
      serial: 8,
      macs: 32,
      flops: 64,
      bytesRead: 64,
      bytesWritten: 16,
      memoryBound: false,
    });
  });

  test('a dispatch outside runWebGPUProgram is costed by its declared label', () => {
    const direct = {
      constructor: { name: 'testDirect' },
      outputShape: [],
      shaderKey: 'testDirect_sgd',
      dispatch: [3, 1, 1] as [number, number, number],
      dispatchLayout: { x: [] },
      workgroupSize: [1, 1, 1] as [number, number, number],
      variableNames: [],
    };
    expect(() => programCost(costInput(direct, [], []))).toThrow(/'testDirect'/);
    // 3 workgroups of 64 invocations, 4 parameters each: 768 elements, memory-bound.
    declareDispatchCost('testDirect', ({ workgroups }) => ({
      serialMacs: 4,
      macs: 0,
      work: workgroups[0] * 64 * 4,
      bytesRead: 0,
      bytesWritten: 0,
    }));
    const c = programCost(costInput(direct, [], []));
    expect(c.memoryBound).toBe(true);
    expect(c.work / c.serial).toBe(192);
  });
});
