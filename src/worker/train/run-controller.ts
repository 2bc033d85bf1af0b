/**
 * Runs one training at a time in the worker: builds the Trainer from a validated config and the
 * stored dataset, records curves and checkpoints in the run store, and forwards light events
 * (never checkpoint payloads) to the page.
 */
import { checkpointBytes } from '../../ml/train/checkpoint';
import { parseRunConfig, type ConfigProblem, type RunConfig } from '../../ml/train/config';
import type { TrainEvent } from '../../ml/train/events';
import { Trainer } from '../../ml/train/loop';
import { createBackbone, modelCost } from '../../ml/models/backbones';
import type { DatasetStore } from '../../storage/dataset-store';
import {
  applyEvent,
  canResume,
  newRunRecord,
  slotsFor,
  withCheckpointSize,
  type RunRecord,
} from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import { storeDataSource } from './store-data-source';

export type { RunEvent } from '../../common/run-event';
import type { RunEvent } from '../../common/run-event';

/** wasm memory tops out at 4 GiB and a run past it dies silently: estimate first, refuse with advice. */
export const WASM_MEMORY_LIMIT = 3.8e9;

/**
 * Rough peak memory of a training step: layer outputs × batch × views × 6 (tfjs keeps BN/ReLU/add
 * intermediates and im2col buffers for the backward pass; calibrated on ResNet-18 w64, batch 32 →
 * 3.4 GiB measured) plus 6 copies of the weights (gradients, optimiser slots, target networks).
 */
export function estimateStepBytes(config: RunConfig): {
  bytes: number;
  perImage: number;
  fixed: number;
} {
  const b = createBackbone(config.backbone, { initWeights: false });
  const cost = modelCost(b.model);
  b.model.dispose();
  const views = config.method.method === 'supervised' ? 1 : 2;
  const perImage = cost.activationFloatsPerImage * 4 * views * 6;
  const fixed = (cost.params + cost.nonTrainable) * 4 * 6;
  return { bytes: perImage * config.batchSize + fixed, perImage, fixed };
}

function checkWasmMemory(config: RunConfig): void {
  const e = estimateStepBytes(config);
  if (e.bytes <= WASM_MEMORY_LIMIT) return;
  const maxBatch = Math.max(1, Math.floor((WASM_MEMORY_LIMIT - e.fixed) / e.perImage));
  throw new Error(
    `this run needs about ${(e.bytes / 1e9).toFixed(1)} GB for one training step, more than the WebAssembly backend can hold (4 GB). ` +
      `Use a batch size of at most ${maxBatch}, a narrower backbone, or a GPU (WebGPU).`,
  );
}

export class RunController {
  readonly #datasets: DatasetStore;
  readonly #runs: RunStore;
  #trainer: Trainer | null = null;
  #record: RunRecord | null = null;
  #writes: Promise<void> = Promise.resolve();
  /** Settles when the run in progress has ended (records written); resolved when none runs. */
  #ended: Promise<unknown> = Promise.resolve();
  #explain: (message: string) => Promise<string> = async (m) => m;

  constructor(datasets: DatasetStore, runs: RunStore) {
    this.#datasets = datasets;
    this.#runs = runs;
  }

  get active(): { runId: string; status: string } | null {
    return this.#trainer && this.#record
      ? { runId: this.#record.id, status: this.#trainer.status }
      : null;
  }

  validate(
    json: unknown,
  ): { ok: true; config: RunConfig } | { ok: false; problems: ConfigProblem[] } {
    return parseRunConfig(json);
  }

  /** Starts a new run (or continues `resumeRunId` from its latest checkpoint); resolves when it ends. */
  async start(
    json: unknown,
    backend: { name: string; adapter: string | null },
    onEvent: (e: RunEvent) => void,
    resumeRunId?: string,
  ): Promise<RunRecord> {
    if (this.#trainer) throw new Error('a run is already in progress: stop it first');
    let record: RunRecord;
    let resumeFrom;
    if (resumeRunId) {
      const r = await this.#runs.get(resumeRunId);
      if (!r) throw new Error(`run ${resumeRunId} does not exist`);
      if (!canResume(r))
        throw new Error(
          `run “${r.name}” cannot be resumed (status ${r.status}, no checkpoint stored)`,
        );
      resumeFrom = await this.#runs.getCheckpoint(r.id, 'latest');
      if (!resumeFrom) throw new Error(`run “${r.name}” has no stored checkpoint`);
      record = {
        ...r,
        status: 'running',
        endedAt: null,
        error: null,
        backend: backend.name,
        adapter: backend.adapter,
      };
    } else {
      const parsed = parseRunConfig(json);
      if (!parsed.ok)
        throw new Error(
          `invalid run config:\n${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
        );
      record = newRunRecord({
        id: crypto.randomUUID(),
        config: parsed.config,
        backend: backend.name,
        adapter: backend.adapter,
      });
    }
    const config = record.config;
    if (backend.name === 'wasm') checkWasmMemory(config);
    const { source, meta } = await storeDataSource(this.#datasets, config.dataset.id);
    if (meta.fingerprint !== config.dataset.fingerprint) {
      throw new Error(
        `dataset “${meta.name}” is not the one this run was configured on (its images changed); start a new run`,
      );
    }
    const src = config.monitor.source;
    const monitorData =
      typeof src === 'object'
        ? (await storeDataSource(this.#datasets, src.datasetId)).source
        : undefined;
    this.#record = record;
    await this.#runs.put(record);
    onEvent({ type: 'record', runId: record.id, record });

    const handle = (e: TrainEvent) => {
      const rec = (this.#record = applyEvent(this.#record as RunRecord, e));
      if (e.type === 'checkpoint') {
        const ckpt = e.checkpoint;
        const slots = slotsFor(e);
        for (const slot of slots)
          this.#record = withCheckpointSize(this.#record as RunRecord, slot, ckpt);
        const snapshot = this.#record as RunRecord;
        // Tell the page only once the checkpoint is really stored.
        this.#queue(async () => {
          await this.#runs.saveCheckpoint(snapshot, ckpt, slots);
          onEvent({
            type: 'checkpoint',
            runId: rec.id,
            epoch: e.epoch,
            step: e.step,
            isBest: e.isBest,
            bytes: checkpointBytes(ckpt),
          });
        });
        return;
      }
      if (e.type === 'error' || e.type === 'done') {
        // In order, after the run's error got its explanation (a lost GPU fails the read-back
        // before the device says it is lost: the error should say the GPU was lost).
        this.#queue(async () => {
          const out = e.type === 'error' ? { ...e, message: await this.#explain(e.message) } : e;
          if (out.type === 'error')
            this.#record = { ...(this.#record as RunRecord), error: out.message };
          await this.#runs.put(this.#record as RunRecord);
          onEvent({ ...out, runId: rec.id });
        });
        return;
      }
      if (e.type === 'epoch' || e.type === 'paused') {
        this.#queue(() => this.#runs.put(this.#record as RunRecord));
      }
      onEvent({ ...e, runId: rec.id });
    };

    const trainer = new Trainer({ config, data: source, monitorData, onEvent: handle, resumeFrom });
    this.#trainer = trainer;
    const ended = (async () => {
      try {
        await trainer.run();
      } finally {
        trainer.dispose();
        this.#trainer = null;
      }
      await this.#writes;
      const final = this.#record as RunRecord;
      await this.#runs.put(final);
      onEvent({ type: 'record', runId: final.id, record: final });
      return final;
    })();
    this.#ended = ended.catch(() => undefined);
    return ended;
  }

  /**
   * Sets what rewrites a run's error message before it is stored and sent (engine/recovery.ts: a
   * read-back that failed because the GPU device was lost becomes "the GPU device was lost").
   */
  explainErrors(explain: (message: string) => Promise<string>): void {
    this.#explain = explain;
  }

  /** Ends the run in progress now with `error` (it keeps its last checkpoint; see Trainer.abort). */
  abort(error: Error): void {
    this.#trainer?.abort(error);
  }

  /** Resolves once no run is in progress and the ended run's records are written. */
  idle(): Promise<void> {
    return this.#ended.then(() => undefined);
  }

  #queue(task: () => Promise<void>): void {
    this.#writes = this.#writes.then(task).catch((err) => {
      // A failed write (e.g. quota) must not kill the run; the record keeps the error.
      if (this.#record)
        this.#record = { ...this.#record, error: `saving failed: ${(err as Error).message}` };
    });
  }

  pause(): void {
    this.#trainer?.pause();
  }
  resume(): void {
    this.#trainer?.resume();
  }
  stop(): void {
    this.#trainer?.stop();
  }
}
