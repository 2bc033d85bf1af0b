/**
 * The engine's evaluate part: kNN, linear probe and the run's own classifier of a checkpoint,
 * predictions on unlabelled images, predictions CSV, embeddings
 * for the explorer, and fine-tuning.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../api';
import type { Evaluator } from '../eval/evaluator';
import type { RunController } from '../train/run-controller';
import type { EngineContext } from './context';

export type EvaluatePart = Pick<
  EngineApi,
  | 'evaluateKnn'
  | 'evaluateProbe'
  | 'evaluateClassifier'
  | 'predictImages'
  | 'predictionsCsv'
  | 'embeddings'
  | 'fineTune'
  | 'stopFineTune'
>;

export function evaluatePart(
  { ready, runsOpened }: EngineContext,
  evaluator: Evaluator,
  controller: RunController,
): EvaluatePart {
  return {
    async evaluateKnn(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.knn(req, onProgress);
    },
    async evaluateProbe(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.probe(req, onProgress);
    },
    async evaluateClassifier(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.classifier(req, onProgress);
    },
    async predictImages(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.predict(req, onProgress);
    },
    async predictionsCsv(kind) {
      return evaluator.predictionsCsv(kind);
    },
    async embeddings(req, onProgress) {
      await ready;
      await runsOpened;
      const r = await evaluator.embeddings(req, onProgress);
      return Comlink.transfer(r, [r.x.buffer as ArrayBuffer]);
    },
    async fineTune(req, onEpoch) {
      await ready;
      await runsOpened;
      if (controller.active)
        throw new Error('a training run is in progress: fine-tune when it has ended');
      const r = await evaluator.fineTune(req, onEpoch);
      return Comlink.transfer(
        r,
        (r.snapshots?.x ?? []).map((x) => x.buffer as ArrayBuffer),
      );
    },
    async stopFineTune() {
      evaluator.stopFineTune();
    },
  };
}
