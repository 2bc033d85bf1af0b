/**
 * The engine's runs part: run configs, training runs (start, resume, pause, stop), the stored
 * runs and runs as files (export, import, rename, kNN, seed, relink).
 */
import * as Comlink from 'comlink';
import { defaultRunConfig } from '../../ml/train/config';
import type { EngineApi } from '../api';
import type { PairsLab } from '../pairs/lab';
import type { RunFiles } from '../runs/run-files';
import type { RunController } from '../train/run-controller';
import type { EngineContext } from './context';

export type RunsPart = Pick<
  EngineApi,
  | 'defaultRunConfig'
  | 'validateRunConfig'
  | 'startRun'
  | 'resumeRun'
  | 'pauseRun'
  | 'continueRun'
  | 'stopRun'
  | 'listRuns'
  | 'deleteRun'
  | 'exportRunCheckpoint'
  | 'exportRunSafetensors'
  | 'importCheckpointFile'
  | 'renameRun'
  | 'runImports'
  | 'setImportChoice'
  | 'knnOfRun'
  | 'seedRunFromWeights'
  | 'relinkCandidates'
  | 'relinkRunDataset'
>;

export function runsPart(
  ctx: EngineContext,
  controller: RunController,
  runFiles: RunFiles,
  pairsLab: PairsLab,
): RunsPart {
  const { store, runs, runsOpened, ready, backendInfo } = ctx;
  return {
    async defaultRunConfig(method, datasetId) {
      const meta = await store.getMeta(datasetId);
      if (!meta) throw new Error(`dataset ${datasetId} does not exist`);
      return defaultRunConfig(
        method,
        { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
        { numClasses: meta.classes.length || undefined },
      );
    },

    async validateRunConfig(json) {
      return controller.validate(json);
    },

    async startRun(config, onEvent) {
      await ready;
      await ctx.restarted;
      await runsOpened;
      if (pairsLab.busy)
        throw new Error(
          'the pairs lab is training: stop it in the Pairs panel or start this run when it has ended',
        );
      return controller.start(config, backendInfo(), onEvent);
    },

    async resumeRun(runId, onEvent) {
      await ready;
      await ctx.restarted;
      await runsOpened;
      if (pairsLab.busy)
        throw new Error(
          'the pairs lab is training: stop it in the Pairs panel or resume this run when it has ended',
        );
      return controller.start(null, backendInfo(), onEvent, runId);
    },

    async pauseRun() {
      controller.pause();
    },
    async continueRun() {
      controller.resume();
    },
    async stopRun() {
      controller.stop();
    },

    async listRuns() {
      await runsOpened;
      return runs.list();
    },

    async deleteRun(runId) {
      if (controller.active?.runId === runId) throw new Error('stop this run before deleting it');
      await runs.delete(runId);
    },

    async exportRunCheckpoint(runId, slot) {
      await ready;
      const f = await runFiles.exportCheckpoint(runId, slot);
      return Comlink.transfer(f, [f.bytes.buffer as ArrayBuffer]);
    },
    async exportRunSafetensors(runId, slot) {
      await ready;
      const f = await runFiles.exportSafetensors(runId, slot);
      return Comlink.transfer(f, [f.bytes.buffer as ArrayBuffer]);
    },
    async importCheckpointFile(data, fileName, opts) {
      await ready;
      await runsOpened;
      return runFiles.importFile(data, fileName, opts);
    },
    renameRun: (runId, name) => runFiles.rename(runId, name),
    runImports: () => runFiles.notes(),
    setImportChoice: (runId, choice) => runFiles.setChoice(runId, choice),
    async knnOfRun(runId, slot = 'latest') {
      await ready;
      return runFiles.knn(runId, slot);
    },
    async seedRunFromWeights(runId, opts) {
      await ready;
      return runFiles.seedRun(runId, opts);
    },
    relinkCandidates: (runId) => runFiles.relinkCandidates(runId),
    relinkRunDataset: (runId, datasetId) => runFiles.relinkDataset(runId, datasetId),
  };
}
