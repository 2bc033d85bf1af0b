/**
 * The evaluation request schemas: requests the Evaluate panel sends pass unchanged; each kind of
 * bad field is refused with its path; the Evaluator checks a request before touching its cache.
 */
import { describe, expect, it } from 'vitest';
import type {
  EmbeddingsRequest,
  FineTuneRequest,
  KnnEvalRequest,
  ProbeEvalRequest,
} from '../../common/eval-types';
import type { EmbeddingCache } from './embeddings';
import { Evaluator } from './evaluator';
import {
  parseEmbeddingsRequest,
  parseFineTuneRequest,
  parseKnnRequest,
  parseProbeRequest,
} from './request-schema';

const knn: KnnEvalRequest = {
  runId: 'r',
  slot: 'latest',
  datasetId: 'other',
  querySplit: 'val',
  classMap: [1, 0, -1],
  init: 'imported',
  initRunId: 'imp',
  k: 20,
  temperature: 0.1,
};
const probe: ProbeEvalRequest = {
  runId: 'r',
  slot: 'best',
  maxIterations: 100,
  C: 1,
};
const embeddings: EmbeddingsRequest = { runId: 'r', slot: 'latest', splits: ['train', 'test'] };
const fineTune: FineTuneRequest = {
  runId: 'r',
  slot: 'latest',
  init: 'random',
  epochs: 5,
  learningRate: 0.001,
  headLearningRate: 0.01,
  batchSize: 32,
  seed: 0,
  snapshotEvery: 0,
  snapshotPoints: 2000,
};

/** The message `parse` throws for `raw` after `edit` of a deep copy ('' when it passes). */
function problem<T>(parse: (raw: unknown) => T, base: T, edit: (r: any) => void): string {
  const r = structuredClone(base);
  edit(r);
  try {
    parse(r);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** The line of `message` about `path` (undefined when the message names it nowhere). */
const lineOf = (message: string, path: string) =>
  message.split('\n').find((l) => l.trim().startsWith(`${path}:`));

describe('evaluation request schemas', () => {
  it('pass valid requests unchanged, with and without their optional fields', () => {
    expect(parseKnnRequest(knn)).toEqual(knn);
    expect(parseKnnRequest({ runId: 'r', slot: 'best', k: 1, temperature: 1 })).toEqual({
      runId: 'r',
      slot: 'best',
      k: 1,
      temperature: 1,
    });
    expect(parseProbeRequest(probe)).toEqual(probe);
    expect(parseProbeRequest({ runId: 'r', slot: 'latest', maxIterations: 1 })).toEqual({
      runId: 'r',
      slot: 'latest',
      maxIterations: 1,
    });
    expect(parseEmbeddingsRequest(embeddings)).toEqual(embeddings);
    expect(parseFineTuneRequest(fineTune)).toEqual(fineTune);
    const minimal = { ...fineTune, init: 'ssl' as const };
    delete minimal.headLearningRate;
    delete minimal.snapshotEvery;
    delete minimal.snapshotPoints;
    expect(parseFineTuneRequest(minimal)).toEqual(minimal);
  });

  it('read a null optional field (a cleared number input) as absent, as the engine always did', () => {
    const cleared = { ...fineTune, headLearningRate: null, snapshotEvery: null };
    const parsed = parseFineTuneRequest(cleared);
    expect(parsed.headLearningRate).toBeUndefined();
    expect(parsed.snapshotEvery).toBeUndefined();
    expect(parsed).toEqual({ ...fineTune, headLearningRate: undefined, snapshotEvery: undefined });
    expect(parseProbeRequest({ ...probe, C: null }).C).toBeUndefined();
  });

  it.each([
    ['runId', (r: any) => (r.runId = ''), /must not be empty/],
    ['slot', (r: any) => (r.slot = 'final'), /must be one of latest, best, got "final"/],
    ['querySplit', (r: any) => (r.querySplit = 'holdout'), /train, val, test, all/],
    ['classMap[2]', (r: any) => (r.classMap[2] = -2), /class index or -1, got -2/],
    ['init', (r: any) => (r.init = 'pretrained'), /ssl, random, imported/],
    ['initRunId', (r: any) => (r.initRunId = 7), /must be a string id, got 7/],
    ['k', (r: any) => (r.k = 0), /whole number ≥ 1, got 0/],
    ['temperature', (r: any) => (r.temperature = 0), /must be > 0, got 0/],
  ])('kNN: refuses a bad %s, naming it', (path, edit, message) => {
    const m = problem(parseKnnRequest, knn, edit);
    expect(m).toMatch(/^invalid kNN request:\n/);
    expect(lineOf(m, path), m).toMatch(message);
  });

  it.each([
    [
      'maxIterations',
      (r: any) => (r.maxIterations = 2.5),
      /whole number ≥ 1 and ≤ 100000, got 2.5/,
    ],
    ['C', (r: any) => (r.C = 0), /must be > 0, got 0/],
    // The minibatch-Adam probe's settings are refused, naming what replaced them.
    ['epochs', (r: any) => (r.epochs = 50), /no longer applies: .*L-BFGS; set maxIterations/],
    ['learningRate', (r: any) => (r.learningRate = 0.01), /no longer applies: .*set C/],
    ['batchSize', (r: any) => (r.batchSize = 64), /no longer applies: .*whole training set/],
    ['seed', (r: any) => (r.seed = 3), /no longer applies: .*no randomness/],
  ])('linear probe: refuses a bad %s, naming it', (path, edit, message) => {
    const m = problem(parseProbeRequest, probe, edit);
    expect(m).toMatch(/^invalid linear-probe request:\n/);
    expect(lineOf(m, path), m).toMatch(message);
  });

  it.each([
    ['splits[1]', (r: any) => (r.splits[1] = 'tset'), /train, val, test, all, got "tset"/],
    ['splits', (r: any) => (r.splits = 'train'), /expected array/],
    ['datasetId', (r: any) => (r.datasetId = ''), /must not be empty/],
  ])('embeddings: refuses a bad %s, naming it', (path, edit, message) => {
    const m = problem(parseEmbeddingsRequest, embeddings, edit);
    expect(m).toMatch(/^invalid embeddings request:\n/);
    expect(lineOf(m, path), m).toMatch(message);
  });

  it.each([
    ['epochs', (r: any) => (r.epochs = 0), /whole number ≥ 1, got 0/],
    ['learningRate', (r: any) => (r.learningRate = 0), /must be > 0, got 0/],
    ['headLearningRate', (r: any) => (r.headLearningRate = -1), /must be > 0, got -1/],
    ['batchSize', (r: any) => (r.batchSize = 0), /whole number ≥ 1, got 0/],
    ['snapshotEvery', (r: any) => (r.snapshotEvery = -1), /whole number ≥ 0, got -1/],
    ['snapshotPoints', (r: any) => (r.snapshotPoints = 0), /whole number ≥ 1, got 0/],
    ['init', (r: any) => delete r.init, /must be one of ssl, random, imported, got undefined/],
    ['seed', (r: any) => (r.seed = NaN), /finite number, got NaN/],
  ])('fine-tune: refuses a bad %s, naming it', (path, edit, message) => {
    const m = problem(parseFineTuneRequest, fineTune, edit);
    expect(m).toMatch(/^invalid fine-tune request:\n/);
    expect(lineOf(m, path), m).toMatch(message);
  });

  it('the Evaluator refuses each bad request before touching its cache (an empty object here)', async () => {
    const ev = new Evaluator({} as EmbeddingCache);
    await expect(ev.knn({ ...knn, k: -1 })).rejects.toThrow(/invalid kNN request:\n {2}k: /);
    await expect(ev.probe({ ...probe, maxIterations: 0 })).rejects.toThrow(/\n {2}maxIterations: /);
    await expect(ev.embeddings({ ...embeddings, slot: 'x' as 'best' })).rejects.toThrow(
      /invalid embeddings request:\n {2}slot: /,
    );
    await expect(ev.fineTune({ ...fineTune, learningRate: 0 })).rejects.toThrow(
      /invalid fine-tune request:\n {2}learningRate: must be > 0, got 0/,
    );
  });
});
