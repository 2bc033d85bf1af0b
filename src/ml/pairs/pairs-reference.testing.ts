/** Test helper: loads tests/reference/fixtures/pairs_reference.json (written by tests/reference/pairs_reference.py). */
import { readFileSync } from 'node:fs';

export interface PairsFixtureSplit {
  scores: number[];
  labels: number[];
  precision: number[];
  recall: number[];
  thresholds: number[];
  best: { threshold: number; f1: number; precision: number; recall: number };
  hist_same: number[];
  hist_different: number[];
  median_same: number;
  median_different: number;
  at_colour_threshold: { precision: number; recall: number; f1: number };
  galleries: { closest_different: number[]; farthest_same: number[]; confident_correct: number[] };
}

export interface PairsFixtureScoreBlock {
  range: [number, number];
  colour_threshold: number;
  splits: Record<'test' | 'colour' | 'texture', PairsFixtureSplit>;
}

export interface PairsFixture {
  script: string;
  script_sha256: string;
  sklearn: string;
  numpy: string;
  torch: string;
  evaluation: {
    bins: number;
    k: number;
    cosine: PairsFixtureScoreBlock;
    probability: PairsFixtureScoreBlock;
    centre: { pred: number[]; truth: number[]; mse: number; best: number[]; worst: number[] };
  };
  losses: {
    a: number[][];
    b: number[][];
    y: number[];
    z: number[];
    cosine: number[];
    cosine_embedding: { margin: number; loss: number; grad_a: number[][]; grad_b: number[][] }[];
    contrastive: { margin: number; loss: number; grad_a: number[][]; grad_b: number[][] }[];
    bce: { loss: number; grad_z: number[] };
  };
}

export const PAIRS_SCRIPT_URL = new URL(
  '../../../tests/reference/pairs_reference.py',
  import.meta.url,
);
export const PAIRS_FIXTURE_URL = new URL(
  '../../../tests/reference/fixtures/pairs_reference.json',
  import.meta.url,
);

export function loadPairsFixture(): PairsFixture {
  return JSON.parse(readFileSync(PAIRS_FIXTURE_URL, 'utf8')) as PairsFixture;
}
