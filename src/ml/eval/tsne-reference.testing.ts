/**
 * Test helper: the seeded 10,000-point input of tests/reference/tsne_reference.py, regenerated
 * draw for draw with createRng (the script ports the generator), and that script's fixture
 * (fixtures/tsne_reference.json: sklearn 1.2's Barnes-Hut trustworthiness and KL on it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng } from '../rng';

export interface TsneReference {
  seed: number;
  n: number;
  dim: number;
  checksum: { sum: number; sum_sq: number; first: number[] };
  n_neighbors: number;
  perplexity: number;
  pca_trustworthiness: number;
  barnes_hut: { trustworthiness: number; kl_divergence: number; n_iter: number; seconds: number };
}

export function loadTsneReference(): TsneReference {
  const p = resolve(import.meta.dirname, '../../../tests/reference/fixtures/tsne_reference.json');
  return JSON.parse(readFileSync(p, 'utf8')) as TsneReference;
}

/**
 * Curved clusters [n × dim] (row-major): point i in cluster i % nClusters, a swiss-roll patch under
 * a random linear map plus unit noise; same draw order as curved_clusters() in the Python script.
 */
export function curvedClusters(seed = 16, n = 10000, dim = 10, nClusters = 10, centreScale = 1.5) {
  const rng = createRng(seed);
  const centres: number[][] = [],
    maps: number[][][] = [];
  for (let c = 0; c < nClusters; c++) {
    centres.push(Array.from({ length: dim }, () => centreScale * rng.normal()));
    maps.push(
      Array.from({ length: 3 }, () =>
        Array.from({ length: dim }, () => rng.normal() / Math.sqrt(3)),
      ),
    );
  }
  const x = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % nClusters;
    const t = 1.5 * Math.PI + 3 * Math.PI * rng.next();
    const h = 6 * rng.next();
    const l0 = (t * Math.cos(t)) / 3,
      l1 = h / 3,
      l2 = (t * Math.sin(t)) / 3;
    const m = maps[c];
    for (let j = 0; j < dim; j++) {
      let v = centres[c][j] + l0 * m[0][j] + l1 * m[1][j];
      v += l2 * m[2][j];
      x[i * dim + j] = v + rng.normal();
    }
  }
  return x;
}
