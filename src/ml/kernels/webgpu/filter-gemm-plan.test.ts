import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMobileNetV3Small } from '../../models/backbones/mobilenetv3';
import { createResNet18 } from '../../models/backbones/resnet';
import { useWasmBackend } from '../../node-backend.testing';
import { PARALLELISM_GOAL, planFilterGemm, planSplitReduction } from './filter-gemm-plan';

interface ConvLayer {
  name: string;
  m: number;
  n: number;
  k: number;
  macs: number;
  depthwise: boolean;
}

/** The filter-gradient GEMM of every (depthwise) conv layer of `model` at `batch` images. */
function convLayers(model: tf.LayersModel, batch: number): ConvLayer[] {
  const out: ConvLayer[] = [];
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) {
        visit(nested);
        continue;
      }
      const cls = layer.getClassName();
      if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') continue;
      const [kh, kw, cin, cout] = layer.getWeights()[0].shape;
      const [, oh, ow, co] = layer.outputShape as number[];
      const k = batch * oh * ow;
      const m = kh * kw * cin;
      const depthwise = cls === 'DepthwiseConv2D';
      out.push({
        name: layer.name,
        m,
        n: cout,
        k,
        macs: (depthwise ? kh * kw * co : m * co) * k,
        depthwise,
      });
    }
  };
  visit(model.layers);
  return out;
}

describe('planFilterGemm', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  for (const stem of ['cifar', 'imagenet'] as const) {
    it(`every ResNet-18 w64 (${stem} stem) layer with ≥ 1% of the FLOPs launches ≥ ${PARALLELISM_GOAL} invocations (SimCLR b256 = 512 views)`, () => {
      const inputSize = stem === 'cifar' ? 32 : 96;
      const { model } = createResNet18({ stem, inputSize, width: 64 }, { initWeights: false });
      const layers = convLayers(model, 512);
      model.dispose();
      const total = layers.reduce((a, l) => a + l.macs, 0);
      expect(layers.length).toBe(20);
      for (const l of layers) {
        const p = planFilterGemm(l.m, l.n, l.k);
        if (l.macs >= 0.01 * total)
          expect(p.invocations, l.name).toBeGreaterThanOrEqual(PARALLELISM_GOAL);
        // The slices cover K exactly once: none empty, together at least K rows.
        expect(p.splits * p.tilesPerSplit * p.tileK).toBeGreaterThanOrEqual(l.k);
        expect((p.splits - 1) * p.tilesPerSplit * p.tileK).toBeLessThan(l.k);
      }
      // The stem (Cin 3: few output tiles) is the one that needs split-K.
      const stemPlan = planFilterGemm(layers[0].m, layers[0].n, layers[0].k);
      expect(stemPlan.splits).toBeGreaterThan(1);
    });
  }

  it('MobileNetV3-Small: conv and depthwise layers with ≥ 1% of the FLOPs reach the goal at b256 / 64 px', () => {
    const { model } = createMobileNetV3Small({ inputSize: 64 }, { initWeights: false });
    const layers = convLayers(model, 512);
    model.dispose();
    const total = layers.reduce((a, l) => a + l.macs, 0);
    const heavy = layers.filter((l) => l.macs >= 0.01 * total);
    expect(heavy.some((l) => l.depthwise)).toBe(true);
    for (const l of heavy) {
      const inv = l.depthwise
        ? l.m * l.n * planSplitReduction(l.m * l.n, l.k).splits
        : planFilterGemm(l.m, l.n, l.k).invocations;
      expect(inv, l.name).toBeGreaterThanOrEqual(PARALLELISM_GOAL);
    }
  });

  it('forced splits are clamped to [1, K tiles] and never leave an empty slice', () => {
    expect(planFilterGemm(27, 16, 10, 8).splits).toBe(1); // one K tile
    expect(planFilterGemm(27, 16, 200, 1).splits).toBe(1);
    const p = planFilterGemm(27, 16, 200, 4); // 13 tiles of 16 → slices of 4 → 4 slices
    expect([p.splits, p.tilesPerSplit]).toEqual([4, 4]);
    const q = planFilterGemm(27, 16, 200, 6); // slices of 3 → 5 slices, none empty
    expect([q.splits, q.tilesPerSplit]).toEqual([5, 3]);
    expect(planFilterGemm(27, 16, 200, 0).splits).toBe(1);
  });

  it('tiles: 16×16 invocations; the tile shrinks to 32 rows / 16 or 32 columns for small M / N', () => {
    const a = planFilterGemm(27, 16, 4096);
    expect([a.tileM, a.tileN, a.perThreadM, a.perThreadN]).toEqual([32, 16, 2, 1]);
    const b = planFilterGemm(576, 64, 4096);
    expect([b.tileM, b.tileN, b.perThreadM, b.perThreadN]).toEqual([64, 64, 4, 4]);
    expect(b.dispatch.slice(0, 2)).toEqual([1, 9]);
    const c = planFilterGemm(144, 32, 4096);
    expect([c.tileM, c.tileN, c.dispatch.slice(0, 2)]).toEqual([64, 32, [1, 3]]);
    for (const p of [a, b, c]) {
      expect(p.workgroupSize).toEqual([16, 16, 1]);
      // Workgroup memory: (tileM + tileN) · tileK floats within WebGPU's guaranteed 16 KiB.
      expect(4 * (p.tileM + p.tileN) * p.tileK).toBeLessThanOrEqual(16384);
    }
  });

  it('a large layer is not split (its tiles already fill the device)', () => {
    expect(planFilterGemm(4608, 512, 8192).splits).toBe(1);
  });

  it('planSplitReduction: chunks of at least 64, covering k', () => {
    const r = planSplitReduction(9 * 16, 100_000);
    expect(r.splits * 9 * 16).toBeGreaterThanOrEqual(PARALLELISM_GOAL);
    expect(r.chunk).toBeGreaterThanOrEqual(64);
    expect(r.splits * r.chunk).toBeGreaterThanOrEqual(100_000);
    expect((r.splits - 1) * r.chunk).toBeLessThan(100_000);
    expect(planSplitReduction(10, 50).splits).toBe(1);
    expect(planSplitReduction(10, 50, 64, 7)).toEqual({ splits: 7, chunk: 8 });
  });
});
