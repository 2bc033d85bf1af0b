import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { byolTau, emaUpdate } from './momentum';

beforeAll(async () => {
  await useWasmBackend();
});

describe('byolTau', () => {
  it('rises from τ_base to 1 along a half cosine', () => {
    expect(byolTau(0, 100, 0.996)).toBeCloseTo(0.996, 12);
    expect(byolTau(50, 100, 0.996)).toBeCloseTo(0.998, 12);
    expect(byolTau(100, 100, 0.996)).toBeCloseTo(1, 12);
    expect(byolTau(25, 100, 0.9)).toBeCloseTo(1 - (0.1 * (Math.cos(Math.PI / 4) + 1)) / 2, 12);
    expect(byolTau(150, 100, 0.9)).toBeCloseTo(1, 12);
  });
});

describe('emaUpdate', () => {
  it('target ← τ·target + (1−τ)·online, online untouched', () => {
    const t = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.tensor2d([[0, 10]]))];
    const o = [tf.variable(tf.tensor1d([3, 0])), tf.variable(tf.tensor2d([[10, 0]]))];
    const before = tf.memory().numTensors;
    emaUpdate(t, o, 0.75);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(t[0].dataSync())).toEqual([1.5, 1.5]);
    expect(Array.from(t[1].dataSync())).toEqual([2.5, 7.5]);
    expect(Array.from(o[0].dataSync())).toEqual([3, 0]);
    expect(() => emaUpdate(t, [o[1], o[0]], 0.5)).toThrow(/shape/);
    expect(() => emaUpdate(t, [o[0]], 0.5)).toThrow(/2 target vs 1 online/);
    tf.dispose([...t, ...o]);
  });
});
