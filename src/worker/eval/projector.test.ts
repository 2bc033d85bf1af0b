import { describe, expect, it } from 'vitest';
import { createRng } from '../../ml/rng';
import { trustworthiness } from '../../ml/eval/trustworthiness';
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

/** Gaussian rows [n × d] with decreasing spreads (3, 2, 1, 0.5, …) along mixed axes, so PCA's components are distinct. */
function anisotropic(n: number, d: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const mix = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
  const spread = Array.from({ length: d }, (_, j) => [3, 2, 1][j] ?? 0.5 / j);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = spread.map((s) => rng.normal() * s);
    for (let j = 0; j < d; j++) x[i * d + j] = 1 + z.reduce((s, zk, k) => s + zk * mix[k][j], 0);
  }
  return x;
}

// Measured with seed 1: own-cluster fraction 1.0, trustworthiness (k 5) 0.950.
// The thresholds leave room below the measured values.
const UMAP_OWN_CLUSTER = 0.9;
const UMAP_TRUSTWORTHINESS = 0.85;

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

  it('PCA coordinates equal the projections on the covariance eigenvectors found by power iteration', async () => {
    const n = 200,
      d = 6;
    const x = Float32Array.from(anisotropic(n, d, 4));
    const p = createProjector();
    await p.load(Float32Array.from(x), n, d);
    const { xy } = await p.pca();
    // Another way: centre, covariance by the two-pass formula, top-2 eigenvectors by power
    // iteration with deflation, project.
    const mean = Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * d + j];
      return s / n;
    });
    const cov = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
        return s / (n - 1);
      }),
    );
    for (let c = 0; c < 2; c++) {
      let v = Array.from({ length: d }, (_, j) => 1 + j);
      let lambda = 0;
      for (let it = 0; it < 500; it++) {
        const w = cov.map((row) => row.reduce((s, r, j) => s + r * v[j], 0));
        lambda = Math.hypot(...w);
        v = w.map((t) => t / lambda);
      }
      // Deflate so the next power iteration finds the next component.
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] -= lambda * v[a] * v[b];
      const proj = Array.from({ length: n }, (_, i) =>
        v.reduce((s, vj, j) => s + (x[i * d + j] - mean[j]) * vj, 0),
      );
      // Same up to the component's sign.
      const sign = Math.sign(proj.reduce((s, t, i) => s + t * xy[2 * i + c], 0));
      let worst = 0,
        scale = 0;
      for (let i = 0; i < n; i++) {
        worst = Math.max(worst, Math.abs(xy[2 * i + c] - sign * proj[i]));
        scale = Math.max(scale, Math.abs(proj[i]));
      }
      expect(worst / scale, `component ${c}`).toBeLessThan(1e-5);
    }
  });

  it('UMAP keeps the k-NN structure of three separated clusters', async () => {
    const n = 90,
      d = 8;
    const rng = createRng(5);
    const x = new Float32Array(n * d);
    const cluster = (i: number) => i % 3;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * 0.3 + (j === cluster(i) ? 4 : 0);
    const p = createProjector();
    await p.load(Float32Array.from(x), n, d);
    const { xy } = await p.umap(
      { nNeighbors: 10, minDist: 0.1, epochs: 200, every: 200, seed: 1 },
      () => undefined,
    );
    // The 5 nearest layout neighbours of (almost) every point are in its own cluster.
    let own = 0;
    for (let i = 0; i < n; i++) {
      const near = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => ({ j, d: (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2 }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 5);
      own += near.filter((q) => cluster(q.j) === cluster(i)).length;
    }
    console.log('MEASURE', own / (5 * n), trustworthiness(x, d, xy, 2, 5));
    expect(own / (5 * n)).toBeGreaterThan(UMAP_OWN_CLUSTER);
    expect(trustworthiness(x, d, xy, 2, 5)).toBeGreaterThan(UMAP_TRUSTWORTHINESS);
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
