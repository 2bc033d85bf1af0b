/**
 * The engine behind the worker: implements EngineApi by composing its parts (engine/*.ts, one
 * domain each) over one shared context of stores and the backend gate.
 */
import type { EngineApi } from './api';
import { EmbeddingCache } from './eval/embeddings';
import { Evaluator } from './eval/evaluator';
import { Importer } from './import/importer';
import { PairsLab } from './pairs/lab';
import { RunFiles } from './runs/run-files';
import { RunController } from './train/run-controller';
import { augmentPart } from './engine/augment';
import { backendPart } from './engine/backend';
import { createEngineContext } from './engine/context';
import { datasetsPart } from './engine/datasets';
import { evaluatePart } from './engine/evaluate';
import { pairsPart } from './engine/pairs';
import { recoveryPart } from './engine/recovery';
import { runsPart } from './engine/runs';
import { weightsPart } from './engine/weights';

export function createEngine(): EngineApi {
  const ctx = createEngineContext();
  const { store, runs, readImages } = ctx;
  const importer = new Importer(store);
  const controller = new RunController(store, runs);
  const runFiles = new RunFiles(store, runs);
  // Probes and fine-tunes are recorded as runs.
  const evaluator = new Evaluator(new EmbeddingCache(store, runs, readImages), {
    runs,
    backend: () => ctx.backendInfo(),
  });
  const pairsLab = new PairsLab({
    getMeta: (id) => store.getMeta(id),
    getIndex: (id) => store.getIndex(id),
    readImages,
  });

  const backend = backendPart(ctx);
  return {
    ...backend,
    // Wraps backend.init: watches the GPU and restarts the backend after a fault.
    ...recoveryPart(ctx, controller, backend.init),
    ...datasetsPart(ctx, importer),
    ...augmentPart(ctx),
    ...runsPart(ctx, controller, runFiles, pairsLab),
    ...evaluatePart(ctx, evaluator, controller),
    ...pairsPart(ctx, pairsLab, controller),
    ...weightsPart(),
  };
}
