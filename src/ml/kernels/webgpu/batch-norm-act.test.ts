import { describe, expect, it } from 'vitest';
import { batchNormActPrograms, rowGroups, type BnProgramCost } from './batch-norm-act';

type WithCost = { cost(io: unknown): BnProgramCost; outputShape: number[]; dispatch: number[] };

describe('webgpu batch-norm-act programs (shapes and declared costs; the numerics run in tests/e2e)', () => {
  it('row groups cover every row once, more than 8 rows a group, last group non-empty', () => {
    for (const [rows, c] of [
      [32, 3],
      [50, 6],
      [162, 70],
      [65536, 64],
      [2048, 512],
      [7, 5],
    ]) {
      const { groups, groupRows } = rowGroups(rows, c);
      expect(groups * groupRows).toBeGreaterThanOrEqual(rows);
      expect((groups - 1) * groupRows).toBeLessThan(rows);
      expect(groups).toBeLessThanOrEqual(1024);
      if (groups > 1) expect(groupRows).toBeGreaterThan(8);
    }
  });

  it('forward = 6 dispatches, backward = 5, two passes over the activation each; costs by hand', () => {
    const shape = [4, 8, 8, 16]; // rows 256, C 16 → G = 16 groups of 16 rows
    const { forward, backward } = batchNormActPrograms(shape, true);
    expect(forward).toHaveLength(6);
    expect(backward).toHaveLength(5);
    const x = { shape };
    const ch = { shape: [16] };
    const part = forward[0] as unknown as WithCost;
    expect(part.outputShape).toEqual([16, 2, 16]);
    expect(part.dispatch).toEqual([1, 16, 1]);
    expect(part.cost({ inputs: [x], output: { shape: [16, 2, 16] } })).toEqual({
      serialMacs: 16,
      macs: 0,
      bytesRead: 4 * 4096,
      bytesWritten: 4 * 512,
      memoryBound: true,
      work: 4096,
    });
    const gradPart = backward[0] as unknown as WithCost;
    expect(gradPart.cost({ inputs: [x, x, x, ch], output: { shape: [16, 2, 16] } }).bytesRead).toBe(
      4 * (3 * 4096 + 16),
    );
    const finish = forward[1] as unknown as WithCost;
    expect(finish.cost({ inputs: [{ shape: [16, 2, 16] }, x, ch, ch], output: ch })).toMatchObject({
      serialMacs: 16,
      work: 16 * 16,
      bytesRead: 4 * (16 * 2 * 16 + 3 * 16), // the partials, and one value a channel of x, gamma, beta
    });
    // ResNet-18's layer1 at batch 256 (512 views): G·C reaches the profiler's 32,768.
    const big = rowGroups(512 * 32 * 32, 64);
    expect(big.groups * 64).toBeGreaterThanOrEqual(32768);
    const dx = backward[4] as unknown as WithCost;
    expect(dx.outputShape).toEqual(shape);
    expect(dx.cost({ inputs: [x, x, x, { shape: [4, 16] }], output: x })).toMatchObject({
      serialMacs: 1,
      work: 4096,
      bytesWritten: 4 * 4096,
    });
  });
});
