/** Test helper: loads tests/reference/fixtures/eval_reference.json (written by eval_reference.py). */
import { readFileSync } from 'node:fs';

export interface EvalFixture {
  script: string;
  script_sha256: string;
  sklearn: string;
  numpy: string;
  tsne: {
    X: number[][];
    labels: number[];
    n_neighbors: number;
    perplexity: number;
    pca_trustworthiness: number;
    pca_explained_variance: number[];
    pca_components: number[][];
    pca_Y2_first10: number[][];
    barnes_hut: { trustworthiness: number; kl_divergence: number; n_iter: number };
    exact: { trustworthiness: number; kl_divergence: number; n_iter: number };
  };
  probe: {
    train_x: number[][];
    train_y: number[];
    test_x: number[][];
    test_y: number[];
    num_classes: number;
    C: number;
    train_accuracy: number;
    test_accuracy: number;
  };
  pr: {
    scores: number[];
    labels: number[];
    precision: number[];
    recall: number[];
    thresholds: number[];
    best_f1: number;
  };
}

export const fixtureUrl = (name: string): URL =>
  new URL(`../../../tests/reference/fixtures/${name}`, import.meta.url);

export function loadEvalFixture(): EvalFixture {
  return JSON.parse(readFileSync(fixtureUrl('eval_reference.json'), 'utf8')) as EvalFixture;
}
