import { describe, expect, it } from 'vitest';
import { compareKey, normalizeLayout, sameArchitecture } from './comparison';

describe('comparison helpers', () => {
  it('row keys ignore the imported run unless the start is imported', () => {
    expect(compareKey('r', 'latest', 'ssl', 'x')).toBe(compareKey('r', 'latest', 'ssl'));
    expect(compareKey('r', 'latest', 'imported', 'a')).not.toBe(
      compareKey('r', 'latest', 'imported', 'b'),
    );
    expect(compareKey('r', 'best', 'random')).not.toBe(compareKey('r', 'latest', 'random'));
  });

  it('same architecture: seed and input size do not matter, width and stem do; key order does not', () => {
    const a = { name: 'resnet18', width: 64, stem: 'cifar', seed: 0, inputSize: 32 };
    expect(
      sameArchitecture(a, { inputSize: 64, seed: 5, stem: 'cifar', width: 64, name: 'resnet18' }),
    ).toBe(true);
    expect(sameArchitecture(a, { ...a, width: 32 })).toBe(false);
    expect(sameArchitecture(a, { ...a, stem: 'imagenet' })).toBe(false);
    expect(sameArchitecture(a, { ...a, name: 'convnet' })).toBe(false);
  });

  it('normalised layouts are centred with unit RMS radius, shape kept', () => {
    const xy = Float32Array.from([10, 10, 14, 10, 10, 13, 14, 13]);
    const out = normalizeLayout(xy);
    let cx = 0,
      cy = 0,
      r = 0;
    for (let i = 0; i < 4; i++) [cx, cy] = [cx + out[2 * i] / 4, cy + out[2 * i + 1] / 4];
    for (let i = 0; i < 4; i++) r += (out[2 * i] ** 2 + out[2 * i + 1] ** 2) / 4;
    expect(Math.abs(cx) + Math.abs(cy)).toBeLessThan(1e-6);
    expect(Math.sqrt(r)).toBeCloseTo(1, 6);
    // Distances scale uniformly: the 4 × 3 rectangle keeps its aspect ratio.
    expect((out[2] - out[0]) / (out[5] - out[1])).toBeCloseTo(4 / 3, 5);
  });
});
