import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { StepReadback, windowPoint } from './step-readback';

beforeAll(async () => {
  await useWasmBackend();
});

describe('StepReadback', () => {
  it('reads a window back once, averages it by hand, and leaves no tensor behind', async () => {
    const w = new StepReadback();
    const before = tf.memory().numTensors;
    w.restartClock();
    const losses = [0.5, 1.5, 4];
    const acc = [0.25, 0.5, 0];
    losses.forEach((l, i) =>
      w.push({ loss: tf.scalar(l), extra: { accuracy: tf.scalar(acc[i]) } }, 0.1 * (i + 1)),
    );
    const r = await w.read();
    expect(tf.memory().numTensors).toBe(before);
    expect(r).not.toBeNull();
    expect(r!.steps).toBe(3);
    expect(Array.from(r!.values.losses)).toEqual(losses);
    expect(r!.lr).toBeCloseTo(0.3, 12);
    expect(r!.seconds).toBeGreaterThan(0);
    const p = windowPoint(r!, 7, 2, 16);
    expect(p.step).toBe(7);
    expect(p.epoch).toBe(2);
    expect(p.loss).toBeCloseTo((0.5 + 1.5 + 4) / 3, 6);
    expect(p.extras['accuracy']).toBeCloseTo(0.25, 6);
    expect(p.imagesPerSec).toBeCloseTo((3 * 16) / r!.seconds, 6);
    // Emptied by the read.
    expect(await w.read()).toBeNull();
  });

  it('release() frees steps that will not be read back', () => {
    const w = new StepReadback();
    const before = tf.memory().numTensors;
    w.push({ loss: tf.scalar(1), extra: {}, gradNorms: { a: tf.scalar(2) } }, 0.1);
    expect(tf.memory().numTensors).toBe(before + 2);
    w.release();
    expect(tf.memory().numTensors).toBe(before);
  });
});
