/**
 * The page's handle on the engine worker. Callbacks are wrapped with Comlink.proxy here so
 * callers pass plain functions; File objects are posted by reference, pixel buffers transferred back.
 */
import * as Comlink from 'comlink';
import type {
  EmbeddingsRequest,
  EngineApi,
  EvalProgress,
  FineTuneEpoch,
  FineTuneRequest,
  ImportInput,
  ImportOptions,
  ImportProgress,
  KnnEvalRequest,
  ProbeEvalRequest,
  RunEvent,
  ShapesOptions,
} from './api';
import type { PairsEvent, PairsTrainRequest } from './api';

export type Engine = Comlink.Remote<EngineApi>;

export interface EngineClient {
  remote: Engine;
  scanImport(
    input: ImportInput,
    onProgress?: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['scanImport']>;
  commitImport(
    planId: string,
    o: ImportOptions,
    onProgress: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['commitImport']>;
  generateShapes(
    o: ShapesOptions,
    onProgress: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['generateShapes']>;
  startRun(config: unknown, onEvent: (e: RunEvent) => void): ReturnType<EngineApi['startRun']>;
  resumeRun(runId: string, onEvent: (e: RunEvent) => void): ReturnType<EngineApi['resumeRun']>;
  evaluateKnn(
    req: KnnEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['evaluateKnn']>;
  evaluateProbe(
    req: ProbeEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['evaluateProbe']>;
  embeddings(
    req: EmbeddingsRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['embeddings']>;
  fineTune(
    req: FineTuneRequest,
    onEpoch?: (e: FineTuneEpoch) => void,
  ): ReturnType<EngineApi['fineTune']>;
  trainPairs(
    req: PairsTrainRequest,
    onEvent: (e: PairsEvent) => void,
  ): ReturnType<EngineApi['trainPairs']>;
  terminate(): void;
}

export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'simlab-engine',
  });
  const remote = Comlink.wrap<EngineApi>(worker);
  return {
    remote,
    scanImport: (input, onProgress) =>
      remote.scanImport(input, onProgress ? Comlink.proxy(onProgress) : undefined),
    commitImport: (planId, o, onProgress) =>
      remote.commitImport(planId, o, Comlink.proxy(onProgress)),
    generateShapes: (o, onProgress) => remote.generateShapes(o, Comlink.proxy(onProgress)),
    startRun: (config, onEvent) => remote.startRun(config, Comlink.proxy(onEvent)),
    resumeRun: (runId, onEvent) => remote.resumeRun(runId, Comlink.proxy(onEvent)),
    evaluateKnn: (req, onProgress) =>
      remote.evaluateKnn(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    evaluateProbe: (req, onProgress) =>
      remote.evaluateProbe(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    embeddings: (req, onProgress) =>
      remote.embeddings(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    fineTune: (req, onEpoch) => remote.fineTune(req, onEpoch ? Comlink.proxy(onEpoch) : undefined),
    trainPairs: (req, onEvent) => remote.trainPairs(req, Comlink.proxy(onEvent)),
    terminate: () => worker.terminate(),
  };
}
