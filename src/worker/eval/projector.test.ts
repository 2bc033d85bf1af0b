import { describe, expect, it } from 'vitest';
import { createRng } from '../../ml/rng';
import { createProjector, type Layout } from './projector';
import { toCsv, topK } from '../../common/csv';

/** Two Gaussian blobs in 8-D, n/2 each. */
function blobs(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n * 8);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 8; j++)
      x[i * 8 + j] = rng.normal() * 0.1 + (i < n / 2 ? (j === 0 ? 3 : 0) : j === 1 ? 3 : 0);
  return x;
}

describe('projector', () => {
  it('t-SNE posts layouts while it runs, separates two blobs, and can warm start', async () => {
    const p = createProjector();
    await p.load(blobs(40, 1), 40, 8);
    const seen: Layout[] = [];
    const last = await p.tsne(
      { perplexity: 10, learningRate: 'auto', iterations: 300, every: 50, seed: 0 },
      (l) => seen.push(l),
    );
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.map((l) => l.iteration)).toEqual(
      [...seen.map((l) => l.iteration)].sort((a, b) => a - b),
    );
    expect(last.done).toBe(true);
    expect(last.xy.length).toBe(80);
    // Every point's nearest layout neighbour is from its own blob.
    for (let i = 0; i < 40; i++) {
      let best = -1,
        bd = Infinity;
      for (let j = 0; j < 40; j++) {
        if (j === i) continue;
        const d =
          (last.xy[2 * i] - last.xy[2 * j]) ** 2 + (last.xy[2 * i + 1] - last.xy[2 * j + 1]) ** 2;
        if (d < bd) [bd, best] = [d, j];
      }
      expect(best < 20).toBe(i < 20);
    }
    const warm = await p.tsne(
      { perplexity: 10, learningRate: 'auto', iterations: 50, every: 50, seed: 0, warmStart: true },
      () => undefined,
    );
    expect(warm.xy.length).toBe(80);
  });

  it('evolution: one t-SNE per snapshot, each warm-started from the previous layout so points move little', async () => {
    const p = createProjector();
    const n = 40;
    const rng = createRng(9);
    const f0 = blobs(n, 3);
    // Later snapshots: the same points, drifting a little (as embeddings do over a few epochs).
    const f1 = f0.map((v) => v + rng.normal() * 0.05);
    const f2 = f1.map((v) => v + rng.normal() * 0.05);
    const seen: number[] = [];
    const layouts = await p.evolution(
      [f0, f1, f2],
      n,
      8,
      { perplexity: 10, learningRate: 'auto', iterations: 300, iterationsPerFrame: 100, seed: 0 },
      (f) => seen.push(f.index),
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(layouts.map((l) => l.length)).toEqual([2 * n, 2 * n, 2 * n]);
    const rms = (xy: Float32Array) => {
      let cx = 0,
        cy = 0;
      for (let i = 0; i < n; i++) [cx, cy] = [cx + xy[2 * i] / n, cy + xy[2 * i + 1] / n];
      let s = 0;
      for (let i = 0; i < n; i++) s += (xy[2 * i] - cx) ** 2 + (xy[2 * i + 1] - cy) ** 2;
      return Math.sqrt(s / n);
    };
    for (let k = 1; k < 3; k++) {
      let move = 0;
      for (let i = 0; i < n; i++)
        move +=
          Math.hypot(
            layouts[k][2 * i] - layouts[k - 1][2 * i],
            layouts[k][2 * i + 1] - layouts[k - 1][2 * i + 1],
          ) / n;
      expect(move / rms(layouts[k - 1])).toBeLessThan(0.5);
    }
    // A stop ends the sequence early.
    const partial = p.evolution(
      [f0, f1, f2],
      n,
      8,
      { perplexity: 10, learningRate: 'auto', iterations: 2000, iterationsPerFrame: 2000, seed: 0 },
      () => undefined,
    );
    await p.stop();
    expect((await partial).length).toBeLessThan(3);
  });

  it('nearest neighbours by cosine, PCA and UMAP layouts have one row per point', async () => {
    const p = createProjector();
    await p.load(Float32Array.from([1, 0, 0.9, 0.1, 0, 1, -1, 0]), 4, 2);
    const nn = await p.neighbours(0, 2);
    expect(nn.map((r) => r.index)).toEqual([1, 2]);
    expect(nn[0].similarity).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
    await p.load(blobs(30, 2), 30, 8);
    expect((await p.pca()).xy.length).toBe(60);
    const u = await p.umap(
      { nNeighbors: 5, minDist: 0.1, epochs: 50, every: 25, seed: 1 },
      () => undefined,
    );
    expect(u.xy.length).toBe(60);
    expect(u.xy.every(Number.isFinite)).toBe(true);
  });

  it('CSV quoting and top-k', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 1],
          ['q"', 0.5],
        ],
      ),
    ).toBe('a,b\n"x,y",1\n"q""",0.500000\n');
    expect(topK([0.2, 0.5, 0.3, 0.1, 0.1, 0.8], 2, 3, 2)).toEqual([
      [
        { cls: 1, p: 0.5 },
        { cls: 2, p: 0.3 },
      ],
      [
        { cls: 2, p: 0.8 },
        { cls: 0, p: 0.1 },
      ],
    ]);
  });
});
