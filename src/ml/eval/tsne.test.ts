import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { loadEvalFixture } from './eval-reference.testing';
import { trustworthiness } from './trustworthiness';
import { Tsne, tsne } from './tsne';
import { denseJointP, sparseJointP } from './tsne-affinities';
import { barnesHutGradient, exactGradient, QuadTree } from './tsne-gradient';
import { sequentialPool } from './tsne-parallel';
import { curvedClusters, loadTsneReference } from './tsne-reference.testing';
import { vpTreeKnn } from './vp-tree';

const { tsne: f } = loadEvalFixture();
const n = f.X.length,
  d = f.X[0].length;
const x = Float64Array.from(f.X.flat());

function randomPoints(seed: number, count: number, dim: number, scale = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: count * dim }, () => scale * rng.normal());
}

describe('t-SNE against sklearn 1.2 on curved-manifold clusters (600 × 30)', () => {
  it('sklearn puts PCA at least 0.05 below t-SNE here, so a linear map cannot pass', () => {
    expect(f.barnes_hut.trustworthiness - f.pca_trustworthiness).toBeGreaterThanOrEqual(0.05);
  });

  for (const method of ['exact', 'barnes-hut'] as const) {
    it(`${method}: trustworthiness within 0.02 and KL within 10% of sklearn's`, () => {
      const ref = method === 'exact' ? f.exact : f.barnes_hut;
      const t = new Tsne(x, n, d, { method, perplexity: f.perplexity });
      expect(t.learningRate).toBe(50); // 'auto': max(600 / 12 / 4, 50)
      const s = t.run();
      expect(s.done).toBe(true);
      expect(s.iteration).toBe(1000);
      const tw = trustworthiness(x, d, t.embedding, 2, f.n_neighbors);
      expect(Math.abs(tw - ref.trustworthiness)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(s.klDivergence - ref.kl_divergence) / ref.kl_divergence).toBeLessThanOrEqual(
        0.1,
      );
    });
  }
});

describe('t-SNE pieces', () => {
  it('exact gradient equals a finite-difference gradient of its KL', () => {
    const m = 12;
    const P = denseJointP(randomPoints(1, m * 4, 1), m, 4, 3);
    const y = randomPoints(2, m * 2, 1);
    const grad = new Float64Array(2 * m),
      scratch = new Float64Array((m * (m - 1)) / 2),
      g2 = new Float64Array(2 * m);
    exactGradient(y, P, m, 1, grad, scratch, true);
    const h = 1e-6;
    for (let c = 0; c < 2 * m; c++) {
      const yp = y.slice(),
        ym = y.slice();
      yp[c] += h;
      ym[c] -= h;
      const fd =
        (exactGradient(yp, P, m, 1, g2, scratch, true) -
          exactGradient(ym, P, m, 1, g2, scratch, true)) /
        (2 * h);
      expect(grad[c]).toBeCloseTo(fd, 6);
    }
  });

  it('Barnes-Hut with θ = 0 equals the exact gradient and KL on the same P', () => {
    const m = 50;
    const P = denseJointP(randomPoints(3, m * 5, 1), m, 5, 8);
    const rowPtr = new Int32Array(m + 1),
      cols = new Int32Array(m * (m - 1)),
      vals = new Float64Array(m * (m - 1));
    let e = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++)
        if (j !== i) {
          cols[e] = j;
          vals[e++] = P[i * m + j];
        }
      rowPtr[i + 1] = e;
    }
    const y = randomPoints(4, m * 2, 1, 3);
    const gExact = new Float64Array(2 * m),
      gBh = new Float64Array(2 * m);
    const klExact = exactGradient(y, P, m, 4, gExact, new Float64Array((m * (m - 1)) / 2), true);
    const klBh = barnesHutGradient(
      y,
      { n: m, rowPtr, cols, vals },
      m,
      4,
      0,
      new QuadTree(),
      gBh,
      new Float64Array(2 * m),
      new Int32Array(256),
      true,
    );
    gExact.forEach((g, c) => expect(gBh[c]).toBeCloseTo(g, 10));
    expect(klBh).toBeCloseTo(klExact, 8);
    // θ = 0.5 stays close to exact.
    barnesHutGradient(
      y,
      { n: m, rowPtr, cols, vals },
      m,
      4,
      0.5,
      new QuadTree(),
      gBh,
      new Float64Array(2 * m),
      new Int32Array(256),
      false,
    );
    const err = Math.hypot(...gBh.map((g, c) => g - gExact[c])) / Math.hypot(...gExact);
    expect(err).toBeLessThan(0.05);
  });

  it('vantage-point tree finds the exact k nearest neighbours; sparse P is symmetric and sums to 1', () => {
    const m = 300,
      dim = 6,
      k = 10;
    const pts = randomPoints(5, m * dim, 1);
    const g = vpTreeKnn(pts, m, dim, k, 1);
    for (let i = 0; i < m; i += 7) {
      const dists = Array.from({ length: m }, (_, j) => {
        let s = 0;
        for (let c = 0; c < dim; c++) s += (pts[i * dim + c] - pts[j * dim + c]) ** 2;
        return { j, s };
      })
        .filter((o) => o.j !== i)
        .sort((a, b) => a.s - b.s);
      expect(Array.from(g.indices.slice(i * k, (i + 1) * k))).toEqual(
        dists.slice(0, k).map((o) => o.j),
      );
      g.sqDistances
        .slice(i * k, (i + 1) * k)
        .forEach((s, q) => expect(s).toBeCloseTo(dists[q].s, 10));
    }
    const P = sparseJointP(g, m, 3);
    let sum = 0;
    const get = (i: number, j: number) => {
      for (let e = P.rowPtr[i]; e < P.rowPtr[i + 1]; e++) if (P.cols[e] === j) return P.vals[e];
      return 0;
    };
    for (let i = 0; i < m; i++) {
      for (let e = P.rowPtr[i]; e < P.rowPtr[i + 1]; e++) {
        sum += P.vals[e];
        expect(get(P.cols[e], i)).toBe(P.vals[e]);
      }
    }
    expect(sum).toBeCloseTo(1, 12);
  });

  it('keeps well-separated Gaussian clusters apart (Barnes-Hut)', () => {
    const clusters = 4,
      per = 50,
      dim = 10;
    const rng = createRng(9);
    const centres = Array.from({ length: clusters }, () =>
      Array.from({ length: dim }, () => 8 * rng.normal()),
    );
    const pts = new Float64Array(clusters * per * dim);
    for (let i = 0; i < clusters * per; i++) {
      for (let c = 0; c < dim; c++) pts[i * dim + c] = centres[i % clusters][c] + rng.normal();
    }
    const m = clusters * per;
    const { embedding: y } = tsne(pts, m, dim, {
      method: 'barnes-hut',
      perplexity: 15,
      nIter: 500,
    });
    // Every point's 10 nearest embedded neighbours come from its own cluster.
    for (let i = 0; i < m; i++) {
      const nn = Array.from({ length: m }, (_, j) => j)
        .filter((j) => j !== i)
        .sort(
          (a, b) =>
            Math.hypot(y[2 * a] - y[2 * i], y[2 * a + 1] - y[2 * i + 1]) -
            Math.hypot(y[2 * b] - y[2 * i], y[2 * b + 1] - y[2 * i + 1]),
        )
        .slice(0, 10);
      for (const j of nn) expect(j % clusters).toBe(i % clusters);
    }
  });

  it('steps incrementally, is deterministic, and can start from a previous layout', () => {
    const m = 80,
      dim = 5;
    const pts = randomPoints(6, m * dim, 1);
    const a = new Tsne(pts, m, dim, { perplexity: 10, nIter: 300, init: 'random', seed: 3 });
    expect(a.step(100)).toMatchObject({ iteration: 100, done: false });
    expect(Number.isNaN(a.klDivergence)).toBe(false);
    const s = a.step(1000);
    expect(s).toMatchObject({ iteration: 300, done: true });
    const b = tsne(pts, m, dim, { perplexity: 10, nIter: 300, init: 'random', seed: 3 });
    expect(Array.from(b.embedding)).toEqual(Array.from(a.embedding));
    // Warm start: no exaggeration stage, starts at the given layout and stays a good fit.
    const warm = new Tsne(pts, m, dim, {
      perplexity: 10,
      nIter: 50,
      init: a.embedding,
      explorationIter: 0,
    });
    expect(Array.from(warm.embedding)).toEqual(Array.from(a.embedding));
    const w = warm.run();
    expect(w.iteration).toBe(50);
    expect(w.klDivergence).toBeLessThanOrEqual(s.klDivergence * 1.05);
  });
});

describe('t-SNE with GPU-style neighbours', () => {
  it('knnGraphTf finds the same neighbours as the vantage-point tree, and Tsne accepts them', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { useWasmBackend } = await import('../node-backend.testing');
    const { knnGraphTf } = await import('./knn-graph-tf');
    await useWasmBackend();
    const m = 400,
      dim = 8,
      k = 31;
    const pts = randomPoints(8, m * dim, 1);
    const before = tf.memory().numTensors;
    const g = await knnGraphTf(pts, m, dim, k, 64);
    expect(tf.memory().numTensors).toBe(before);
    const ref = vpTreeKnn(pts, m, dim, k, 0);
    expect(Array.from(g.indices)).toEqual(Array.from(ref.indices));
    g.sqDistances.forEach((s, q) => expect(s).toBeCloseTo(ref.sqDistances[q], 10));
    const a = tsne(pts, m, dim, { method: 'barnes-hut', perplexity: 10, nIter: 100, neighbors: g });
    const b = tsne(pts, m, dim, { method: 'barnes-hut', perplexity: 10, nIter: 100 });
    expect(Array.from(a.embedding)).toEqual(Array.from(b.embedding));
  });
});

describe('t-SNE against sklearn 1.2 at 10,000 points (tsne_reference.py)', () => {
  const ref = loadTsneReference();
  const big = curvedClusters(ref.seed, ref.n, ref.dim);

  it('regenerates the reference input draw for draw', () => {
    let sum = 0,
      sumSq = 0;
    for (const v of big) {
      sum += v;
      sumSq += v * v;
    }
    expect(sum).toBeCloseTo(ref.checksum.sum, 6);
    expect(sumSq).toBeCloseTo(ref.checksum.sum_sq, 5);
    ref.checksum.first.forEach((v, j) => expect(big[j]).toBeCloseTo(v, 12));
  });

  // The app's path at this size: Barnes-Hut with the gradient split over a 2-part pool.
  it('Barnes-Hut over a 2-part pool: trustworthiness within 0.02 and KL within 10%', () => {
    const t = new Tsne(big, ref.n, ref.dim, {
      perplexity: ref.perplexity,
      threads: sequentialPool(2),
    });
    expect(t.method).toBe('barnes-hut');
    const s = t.run();
    t.close();
    expect(s.iteration).toBe(1000);
    const tw = trustworthiness(big, ref.dim, t.embedding, 2, ref.n_neighbors);
    const sk = ref.barnes_hut;
    expect(tw).toBeGreaterThanOrEqual(sk.trustworthiness - 0.02);
    expect(tw - ref.pca_trustworthiness).toBeGreaterThan(0.1);
    expect(Math.abs(s.klDivergence - sk.kl_divergence) / sk.kl_divergence).toBeLessThanOrEqual(0.1);
  }, 240_000);
});
