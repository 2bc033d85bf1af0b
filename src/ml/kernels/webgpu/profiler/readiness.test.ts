/**
 * The readiness summary on a hand-built recording of real program objects: per-kind totals, the
 * ≥ 1% share rule for the smallest parallelism, and the longest serial chain.
 */
import { MatMulPackedProgram } from '@tensorflow/tfjs-backend-webgpu/dist/matmul_packed_webgpu';
import { ReduceProgram } from '@tensorflow/tfjs-backend-webgpu/dist/reduce_webgpu';
import { UnaryOpType } from '@tensorflow/tfjs-backend-webgpu/dist/unary_op_util';
import { UnaryOpProgram } from '@tensorflow/tfjs-backend-webgpu/dist/unary_op_webgpu';
import { describe, expect, test } from 'vitest';
import { namedUniforms, type DispatchRecord, type ProgramLike } from './dry-run';
import { summarise } from './readiness';

function record(program: object, inputs: number[][], output: number[], u: number[][] = []) {
  const p = program as ProgramLike;
  const [d, wg] = [p.dispatch, p.workgroupSize];
  const r: DispatchRecord = {
    kernel: p.constructor.name,
    op: 'test',
    key: p.shaderKey,
    workgroups: d,
    workgroupSize: wg,
    invocations: d[0] * d[1] * d[2] * wg[0] * wg[1] * wg[2],
    inputs: inputs.map((shape) => ({ shape, dtype: 'float32' })),
    output: { shape: output, dtype: 'float32' },
    uniforms: namedUniforms(
      p.uniforms as string | undefined,
      u.map((data) => ({ data })),
    ),
    program: p,
  };
  return r;
}

describe('summarise', () => {
  // [256×256]·[256×256]: 16.8 M multiply-adds, 4×4 tiles over K = 256 → serial 4,096, parallelism 4,096.
  const mm = record(
    new MatMulPackedProgram([1, 256, 256], [1, 256, 256]),
    [
      [1, 256, 256],
      [1, 256, 256],
    ],
    [1, 256, 256],
    [[256], [256], [256]],
  );
  // Sum of 2 rows of 100: serial ceil(100/64) + 6 tree steps (64 → 1) = 8, parallelism 25, tiny share.
  const small = record(
    new ReduceProgram({ windowSize: 100, batchSize: 2, inSize: 100, outSize: 1 }, 'sum', 256),
    [[2, 100]],
    [2],
    [[100]],
  );
  // relu over 1 M elements: 8 MiB of traffic (most of the bytes), one element per invocation.
  const relu = record(new UnaryOpProgram([1 << 20], UnaryOpType.RELU), [[1 << 20]], [1 << 20]);

  test('totals per kind and the ≥ 1% rule', () => {
    const s = summarise({
      dispatches: [mm, small, relu, mm],
      peakGpuBytes: 123,
      startGpuBytes: 0,
      hostMsByOp: {},
      uploadBytes: 0,
    });
    expect(s.dispatches).toBe(4);
    expect(s.peakGpuBytes).toBe(123);
    const mmKind = s.kinds.find((k) => k.kernel === 'MatMulPackedProgram')!;
    expect(mmKind.dispatches).toBe(2);
    expect(mmKind.flops).toBe(2 * 2 * 256 ** 3);
    expect(s.flops).toBe(2 * 2 * 256 ** 3 + 200 + (1 << 20));
    // The reduction has the lowest parallelism but carries < 1% of FLOPs and bytes: not counted.
    expect(s.programs.find((p) => p.kernel === 'ReduceProgram')!.parallelism).toBe(25);
    expect(s.minParallelism.kernel).toBe('MatMulPackedProgram');
    expect(s.minParallelism.parallelism).toBe(4096);
    expect(s.maxSerial.kernel).toBe('MatMulPackedProgram');
    expect(s.maxSerial.serial).toBe(16 * 256);
  });

  test('a memory-bound kernel with its share counts: its lower parallelism is the figure', () => {
    const r = { ...relu, invocations: 1024 };
    // Pretend the launch were 1,024 invocations of 1,024 elements each: parallelism 1,024.
    const s = summarise({
      dispatches: [mm, r],
      peakGpuBytes: 0,
      startGpuBytes: 0,
      hostMsByOp: {},
      uploadBytes: 0,
    });
    expect(s.minParallelism.kernel).toBe('UnaryOpProgram');
    expect(s.minParallelism.parallelism).toBe(1024);
  });
});
