import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { Tsne } from './tsne';
import { sparseJointP } from './tsne-affinities';
import { FftRepulsion } from './tsne-fft';
import { fftGradient } from './tsne-fft-gradient';
import { barnesHutGradient, QuadTree } from './tsne-gradient';
import { ParallelFftGradient, sequentialPool } from './tsne-parallel';
import { ParallelBhGradient } from './tsne-parallel-bh';
import { vpTreeKnn } from './vp-tree';

const n = 2000,
  dim = 5;
const rng = createRng(4);
const x = Float64Array.from({ length: n * dim }, () => rng.normal());
const P = sparseJointP(vpTreeKnn(x, n, dim, 31), n, 10);
const y0 = Float64Array.from({ length: 2 * n }, (_, c) => 10 * Math.sin(c) + rng.normal());

describe('t-SNE gradients split into parts (the thread pool path)', () => {
  it('FFT: the single-thread gradient and KL with 1, 2 and 3 parts', () => {
    const ref = new Float64Array(2 * n);
    const klRef = fftGradient(y0, P, n, 12, new FftRepulsion(), ref, new Float64Array(2 * n), true);
    for (const parts of [1, 2, 3]) {
      const pool = sequentialPool(parts);
      const y = pool.f64(2 * n);
      y.set(y0);
      const par = new ParallelFftGradient(pool, y, P, n);
      const grad = new Float64Array(2 * n);
      const kl = par.gradient(12, true, grad);
      grad.forEach((g, c) => expect(g).toBeCloseTo(ref[c], 10));
      expect(kl).toBeCloseTo(klRef, 10);
      par.close();
    }
  });

  it('Barnes-Hut: the single-thread gradient and KL with 1, 2 and 3 parts', () => {
    const ref = new Float64Array(2 * n);
    const klRef = barnesHutGradient(
      y0,
      P,
      n,
      12,
      0.5,
      new QuadTree(),
      ref,
      new Float64Array(2 * n),
      new Int32Array(256),
      true,
    );
    for (const parts of [1, 2, 3]) {
      const pool = sequentialPool(parts);
      const y = pool.f64(2 * n);
      y.set(y0);
      const par = new ParallelBhGradient(pool, y, P, n, 0.5);
      const grad = new Float64Array(2 * n);
      const kl = par.gradient(12, true, grad);
      grad.forEach((g, c) => expect(g).toBeCloseTo(ref[c], 10));
      expect(kl).toBeCloseTo(klRef, 8);
      par.close();
    }
  });

  it('Tsne with a 2-part pool follows the single-thread run (Barnes-Hut and FFT)', () => {
    for (const method of ['barnes-hut', 'fft'] as const) {
      const opts = { method, perplexity: 10, nIter: 60, explorationIter: 30 };
      const a = new Tsne(x, n, dim, opts);
      a.run();
      const b = new Tsne(x, n, dim, { ...opts, threads: sequentialPool(2) });
      b.run();
      b.close();
      let d = 0,
        s = 0;
      for (let c = 0; c < 2 * n; c++) {
        d += (a.embedding[c] - b.embedding[c]) ** 2;
        s += a.embedding[c] ** 2;
      }
      expect(Math.sqrt(d / s)).toBeLessThan(1e-6);
      expect(b.klDivergence).toBeCloseTo(a.klDivergence, 6);
    }
  });
});
