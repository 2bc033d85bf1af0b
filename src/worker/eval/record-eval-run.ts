/**
 * Probe and fine-tune runs in the run store (issue 6: every run is recorded), written the way the
 * run controller writes training runs: a RunRecord with config, curves, final metrics, start/end
 * time, backend and adapter, plus kind and evaluation info.
 *
 * A fine-tune is stored as a supervised run — the parent's config with method 'supervised', the
 * fine-tune's epochs, batch and (backbone) learning rate — whose 'latest' checkpoint holds the
 * fine-tuned backbone and head in the TrainCheckpoint format, so it exports and evaluates like any
 * run. A linear probe stores its epoch curves and test figures, no checkpoint. Test figures go in
 * EpochPoint.testAcc / testMacroF1 (valAcc stays "validation monitor" only).
 */
import { captureCheckpoint } from '../../ml/train/checkpoint';
import { parseRunConfig, type RunConfig } from '../../ml/train/config';
import type { EpochPoint } from '../../ml/train/events';
import {
  newRunRecord,
  type CheckpointSlot,
  type EvalRunInfo,
  type RunKind,
  type RunRecord,
} from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import type { FineTuneParts, FineTuneResult } from './finetune';
import type { WeightsInit } from './init-weights';
import type { ProbeEvalRequest, ProbeResult } from '../../common/eval-types';

/** Where records go, and the backend they ran on. */
export interface EvalRecorder {
  runs: RunStore;
  backend: () => { name: string; adapter: string | null };
}

const INIT_LABEL: Record<WeightsInit, string> = {
  ssl: 'SSL init',
  random: 'random init',
  imported: 'imported weights',
};

/** A validated config for a probe or fine-tune of `parent` (supervised over its dataset's classes). */
export function evalRunConfig(
  parent: RunConfig,
  o: {
    name: string;
    numClasses: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    /** Default Adam at learningRate with a cosine schedule (the fine-tune's). */
    optimizer?: Pick<RunConfig['optimizer'], 'name' | 'lr'> & Partial<RunConfig['optimizer']>;
    schedule?: RunConfig['schedule'];
  },
): RunConfig {
  const r = parseRunConfig({
    ...structuredClone(parent),
    name: o.name.slice(0, 200),
    method: { method: 'supervised', numClasses: o.numClasses, labelSmoothing: 0, seed: o.seed },
    epochs: o.epochs,
    batchSize: Math.max(2, o.batchSize),
    optimizer: o.optimizer ?? { name: 'adam', lr: o.learningRate },
    schedule: o.schedule ?? { kind: 'cosine' },
    seed: o.seed,
  });
  if (!r.ok)
    throw new Error(
      `cannot record this run: ${r.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  return r.config;
}

async function parentInfo(runs: RunStore, runId: string): Promise<{ name: string }> {
  const r = await runs.get(runId);
  return { name: r?.name ?? runId };
}

function baseRecord(
  rec: EvalRecorder,
  kind: RunKind,
  config: RunConfig,
  startedAt: number,
  evaluation: EvalRunInfo,
  epochs: EpochPoint[],
): RunRecord {
  const now = Date.now();
  const b = rec.backend();
  const r = newRunRecord({
    id: crypto.randomUUID(),
    config,
    backend: b.name,
    adapter: b.adapter,
    now: startedAt,
  });
  const last = epochs[epochs.length - 1];
  return {
    ...r,
    kind,
    evaluation,
    status: 'finished',
    updatedAt: now,
    endedAt: now,
    curves: { steps: [], epochs },
    final: last
      ? {
          epoch: last.epoch,
          step: last.step,
          ...(last.trainLoss !== undefined ? { trainLoss: last.trainLoss } : {}),
          best: null,
        }
      : null,
  };
}

/**
 * Records a finished fine-tune: the record and the fine-tuned network's 'latest' checkpoint in one
 * transaction. `parts` is the live network (read, not disposed); `runConfig` the config of the run
 * whose data was used. Returns the stored record.
 */
export async function recordFineTuneRun(
  rec: EvalRecorder,
  parts: FineTuneParts,
  result: FineTuneResult,
  runConfig: RunConfig,
  startedAt: number,
): Promise<RunRecord> {
  const parentRunId = result.initRunId ?? result.runId;
  const parentSlot: CheckpointSlot = result.initRunId ? 'latest' : result.slot;
  const parent = await parentInfo(rec.runs, parentRunId);
  const own = result.initRunId ? await parentInfo(rec.runs, result.runId) : parent;
  const from =
    result.init === 'imported' ? `imported weights “${parent.name}”` : INIT_LABEL[result.init];
  const config = evalRunConfig(runConfig, {
    name: `fine-tune · ${from} · ${own.name}${result.stoppedAtEpoch !== undefined ? ` (stopped at epoch ${result.stoppedAtEpoch})` : ''}`,
    numClasses: parts.numClasses,
    epochs: result.curves.length,
    batchSize: result.batchSize,
    learningRate: result.learningRate,
    seed: result.seed,
  });
  const stepsPerEpoch = result.curves.length ? parts.steps / result.curves.length : 0;
  const epochs: EpochPoint[] = result.curves.map((e) => ({
    epoch: e.epoch,
    step: Math.round(e.epoch * stepsPerEpoch),
    trainLoss: e.trainLoss,
    trainAcc: e.trainAccuracy,
    testAcc: e.testAccuracy,
    testMacroF1: e.testMacroF1,
    seconds: e.seconds,
  }));
  const evaluation: EvalRunInfo = {
    parentRunId,
    parentSlot,
    parentName: parent.name,
    init: result.init,
    datasetId: runConfig.dataset.id,
    querySplit: 'test',
    testAccuracy: result.final.testAccuracy,
    testMacroF1: result.final.testMacroF1,
    trainAccuracy: result.final.trainAccuracy,
  };
  const record = baseRecord(rec, 'fine-tune', config, startedAt, evaluation, epochs);
  const ckpt = await captureCheckpoint({
    config,
    backbone: parts.backbone,
    method: parts.method,
    optimizer: parts.optimizer,
    position: { epoch: result.curves.length, stepInEpoch: 0, step: parts.steps },
    curves: record.curves,
    best: null,
  });
  return rec.runs.saveCheckpoint(record, ckpt, ['latest']);
}

/** Records a finished linear probe: its epoch curves and test figures (no checkpoint). */
export async function recordProbeRun(
  rec: EvalRecorder,
  req: ProbeEvalRequest,
  result: ProbeResult,
  runConfig: RunConfig,
  startedAt: number,
): Promise<RunRecord> {
  const init = result.init;
  const parentRunId = result.initRunId ?? result.runId;
  const parentSlot: CheckpointSlot = result.initRunId ? 'latest' : result.slot;
  const parent = await parentInfo(rec.runs, parentRunId);
  const own = result.initRunId ? await parentInfo(rec.runs, result.runId) : parent;
  const from = init === 'imported' ? `imported weights “${parent.name}”` : INIT_LABEL[init];
  const C = req.C ?? 1;
  // The probe is full-batch L-BFGS (ml/eval/linear-probe.ts), which RunConfig's optimizer list
  // cannot name: the run's name says so; the config records a full batch, epochs = the most
  // iterations, a constant unit step (L-BFGS's quasi-Newton step) without momentum, and the L2
  // coefficient λ = 1/(C·n) as weight decay (the gradient term λ·W on the mean loss).
  const lambda = 1 / (C * Math.max(1, result.bankSize));
  const config = evalRunConfig(runConfig, {
    name: `linear probe (L-BFGS, C ${C}) · ${from} · ${own.name}`,
    numClasses: result.classes.length,
    epochs: req.maxIterations,
    batchSize: result.bankSize,
    learningRate: 1,
    seed: 0,
    optimizer: { name: 'sgd', lr: 1, momentum: 0, weightDecay: Math.min(1, lambda) },
    schedule: { kind: 'constant', warmupEpochs: 0 },
  });
  // One iteration is one pass over the bank: one "step" per iteration.
  const epochs: EpochPoint[] = result.curves.map((e, i) => ({
    epoch: e.epoch,
    step: e.epoch,
    trainLoss: e.loss,
    trainAcc: e.trainAccuracy,
    ...(i === result.curves.length - 1
      ? { testAcc: result.accuracy, testMacroF1: result.macroF1 }
      : {}),
  }));
  const evaluation: EvalRunInfo = {
    parentRunId,
    parentSlot,
    parentName: parent.name,
    init,
    datasetId: result.datasetId,
    querySplit: result.querySplit,
    testAccuracy: result.accuracy,
    testMacroF1: result.macroF1,
    trainAccuracy: result.trainAccuracy,
  };
  const record = baseRecord(rec, 'probe', config, startedAt, evaluation, epochs);
  await rec.runs.put(record);
  return record;
}
