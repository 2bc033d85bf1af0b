import { describe, expect, it } from 'vitest';
import { loadEvalFixture } from './eval-reference.testing';
import { fitPca, pca, transformPca } from './pca';
import { trustworthiness } from './trustworthiness';

describe('PCA', () => {
  const { tsne: f } = loadEvalFixture();
  const n = f.X.length,
    d = f.X[0].length;
  const x = Float64Array.from(f.X.flat());

  it('matches sklearn PCA: explained variance, components and projection up to sign', () => {
    const model = fitPca(x, n, d, 5);
    f.pca_explained_variance.forEach((v, c) =>
      expect(model.explainedVariance[c] / v).toBeCloseTo(1, 5),
    );
    const signs = f.pca_components.map((comp, c) => {
      let dot = 0;
      comp.forEach((v, j) => (dot += v * model.components[c * d + j]));
      expect(Math.abs(dot)).toBeCloseTo(1, 6);
      return Math.sign(dot);
    });
    const y = transformPca(model, x.subarray(0, 10 * d), 10);
    f.pca_Y2_first10.forEach((row, i) =>
      row.forEach((v, c) => expect(signs[c] * y[i * 5 + c]).toBeCloseTo(v, 4)),
    );
  });

  it('fixes each component sign so its largest-magnitude entry is positive', () => {
    const model = fitPca(x, n, d, 3);
    for (let c = 0; c < 3; c++) {
      const comp = Array.from(model.components.slice(c * d, (c + 1) * d));
      const big = comp.reduce((a, v) => (Math.abs(v) > Math.abs(a) ? v : a), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('PCA to 2-d reproduces sklearn trustworthiness (k = 10) of the sklearn PCA projection', () => {
    const { projected } = pca(x, n, d, 2);
    expect(trustworthiness(x, d, projected, 2, 10)).toBeCloseTo(f.pca_trustworthiness, 10);
  });
});
