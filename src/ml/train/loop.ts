/**
 * The training loop: epochs over the train split in a seeded order, batches read from a DataSource
 * as uint8 and augmented on the active backend (two views for self-supervised methods, one for
 * supervised), method.step + afterStep at the scheduled learning rate, monitors every few epochs,
 * checkpoints, and events through one callback (it never touches the UI). Values are read back with
 * `await t.data()` once every `logEvery` steps (never dataSync), which also lets pause/stop calls in.
 *
 * Randomness: epoch e's order comes from (seed, 'shuffle', e), step s's augmentation from
 * (seed, 'augment', s) (seeds.ts), so a resumed run repeats an uninterrupted one exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { AnyMethod } from '../methods/create-method';
import type { StepResult } from '../methods/method';
import type { Backbone, BackboneConfig } from '../models/backbones';
import type { Optimizer } from '../optim/optimizers';
import { learningRateAt } from '../optim/schedules';
import {
  captureCheckpoint,
  checkpointIsFinite,
  type RunPosition,
  type TrainCheckpoint,
} from './checkpoint';
import type { RunConfig } from './config';
import { bestMetricFor, improvedBest } from './best-metric';
import type { DataSource } from './data-source';
import { batchAt } from './epoch-batches';
import { EpochStats, mean } from './epoch-stats';
import type {
  BestMetric,
  Curves,
  EpochPoint,
  StepPoint,
  TrainEvent,
  TrainEventListener,
} from './events';
import { methodBatch } from './method-batch';
import { PauseStop } from './pause-stop';
import { measureMonitors, type MonitorPlan } from './monitor';
import { toScheduleConfig } from './optim-settings';
import { buildRunParts, planRun } from './run-setup';
import { deriveSeed, epochOrder } from './seeds';
import { disposePending, readStepWindow, type PendingStep } from './step-window';

export type TrainerStatus = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'error';

export interface TrainerOptions {
  /** A validated config (parseRunConfig). */
  config: RunConfig;
  data: DataSource;
  /** The dataset named by `config.monitor.source.datasetId`, when the monitor uses another dataset. */
  monitorData?: DataSource;
  onEvent: TrainEventListener;
  /** Continue from this checkpoint (same config) instead of starting fresh. */
  resumeFrom?: TrainCheckpoint;
}

class NonFiniteLoss extends Error {}

/**
 * One training run. `run()` trains to the end (or until stop(), or an error) and resolves with the
 * final status; events arrive through `onEvent` meanwhile. The Trainer owns every tensor it builds:
 * call dispose() when done with it (after reading `method`/`backbone` for evaluation, if wanted).
 */
export class Trainer {
  readonly config: RunConfig;
  readonly #data: DataSource;
  readonly #monitorData: DataSource;
  readonly #emit: TrainEventListener;
  readonly #resumeFrom: TrainCheckpoint | undefined;
  #status: TrainerStatus = 'idle';
  readonly #control = new PauseStop();
  #backbone: Backbone<BackboneConfig> | null = null;
  #method: AnyMethod | null = null;
  #optimizer: Optimizer | null = null;
  #position: RunPosition = { epoch: 0, stepInEpoch: 0, step: 0 };
  #curves: Curves = { steps: [], epochs: [] };
  #best: BestMetric | null = null;
  #lastCheckpoint: TrainCheckpoint | null = null;
  #plan: MonitorPlan | null = null;
  #stepsPerEpoch = 0;

  // Window of steps not yet read back.
  #pending: PendingStep[] = [];
  #windowStart = 0;
  #windowLr: number[] = [];
  readonly #epochStats = new EpochStats();
  #epochStart = 0;

  constructor(opts: TrainerOptions) {
    this.config = opts.config;
    this.#data = opts.data;
    this.#monitorData = opts.monitorData ?? opts.data;
    this.#emit = opts.onEvent;
    this.#resumeFrom = opts.resumeFrom;
  }

  get status(): TrainerStatus {
    return this.#status;
  }
  /** Epochs, steps in the current epoch and steps completed so far. */
  get position(): RunPosition {
    return { ...this.#position };
  }
  get curves(): Curves {
    return this.#curves;
  }
  get best(): BestMetric | null {
    return this.#best;
  }
  /** The last checkpoint taken with finite weights (null before the first). */
  get lastCheckpoint(): TrainCheckpoint | null {
    return this.#lastCheckpoint;
  }
  /** The method (with its backbone) once run() has started; owned by the Trainer. */
  get method(): AnyMethod | null {
    return this.#method;
  }
  get backbone(): Backbone<BackboneConfig> | null {
    return this.#backbone;
  }
  /** The run's split of the data (train / bank / queries) once run() has started. */
  get plan(): MonitorPlan | null {
    return this.#plan;
  }
  get stepsPerEpoch(): number {
    return this.#stepsPerEpoch;
  }

  /** Holds the loop after the current step (a 'paused' event follows). */
  pause(): void {
    if (this.#status === 'running') this.#control.pause();
  }

  /** Lets a paused loop continue. */
  resume(): void {
    this.#control.resume();
  }

  /** Ends the run after the current step, with a checkpoint of where it stopped. */
  stop(): void {
    this.#control.stop();
  }

  /** Trains; resolves with 'finished', 'stopped' or 'error' (an 'error' event says why). */
  async run(): Promise<TrainerStatus> {
    if (this.#status !== 'idle')
      throw new Error(`Trainer.run() called twice (status ${this.#status})`);
    this.#status = 'running';
    try {
      this.#build();
      await this.#train();
      this.#status = this.#control.stopRequested ? 'stopped' : 'finished';
    } catch (e) {
      this.#status = 'error';
      this.#releasePending();
      const message = e instanceof Error ? e.message : String(e);
      this.#send({
        type: 'error',
        message,
        step: this.#position.step,
        epoch: this.#position.epoch,
      });
    }
    const reason =
      this.#status === 'error' ? 'error' : this.#status === 'stopped' ? 'stopped' : 'finished';
    this.#send({ type: 'done', reason, step: this.#position.step, epoch: this.#position.epoch });
    return this.#status;
  }

  /** Frees the backbone, method and optimiser. */
  dispose(): void {
    this.#releasePending();
    this.#method?.dispose();
    this.#optimizer?.dispose();
    this.#backbone?.model.dispose();
    this.#method = null;
    this.#optimizer = null;
    this.#backbone = null;
  }

  #send(e: TrainEvent): void {
    this.#emit(e);
  }

  #build(): void {
    const c = this.config;
    const { plan, stepsPerEpoch } = planRun(c, this.#data, this.#monitorData);
    this.#plan = plan;
    this.#stepsPerEpoch = stepsPerEpoch;
    const resume = this.#resumeFrom;
    const parts = buildRunParts(c, resume);
    this.#backbone = parts.backbone;
    this.#method = parts.method;
    this.#optimizer = parts.optimizer;
    if (resume) {
      this.#position = { ...resume.position };
      this.#curves = structuredClone(resume.curves);
      this.#best = resume.best ? { ...resume.best } : null;
      this.#lastCheckpoint = resume;
    }
  }

  #totalSteps(): number {
    return this.config.epochs * this.#stepsPerEpoch;
  }

  #lr(step: number): number {
    const c = this.config;
    return learningRateAt(
      c.optimizer.lr,
      toScheduleConfig(c.schedule, c.epochs, this.#stepsPerEpoch),
      step,
    );
  }

  async #train(): Promise<void> {
    const c = this.config;
    if (this.#position.step === 0 && this.#curves.epochs.length === 0) {
      // Epoch 0: the untrained network, so every monitor curve starts at its baseline.
      const m = c.monitor.knnEvery > 0 ? await this.#monitors() : {};
      this.#finishEpochPoint({ epoch: 0, step: 0, ...m });
    }
    while (this.#position.epoch < c.epochs) {
      const epoch = this.#position.epoch;
      const order = epochOrder(this.#plan!.train, c.seed, epoch);
      this.#epochStart = performance.now();
      if (this.#position.stepInEpoch === 0) this.#epochStats.reset();
      this.#windowStart = performance.now();
      let next: Promise<Uint8Array> | null = null;
      for (let b = this.#position.stepInEpoch; b < this.#stepsPerEpoch; b++) {
        const idx = batchAt(order, c.batchSize, b);
        const pixels = await (next ?? this.#data.getImages(idx));
        next =
          b + 1 < this.#stepsPerEpoch
            ? this.#data.getImages(batchAt(order, c.batchSize, b + 1))
            : null;
        this.#step(pixels, idx);
        this.#position = { epoch, stepInEpoch: b + 1, step: this.#position.step + 1 };
        const last = b + 1 === this.#stepsPerEpoch;
        if (last || this.#position.step % c.logEvery === 0) await this.#flush();
        else await yieldToEventLoop();
        if (this.#control.paused && !this.#control.stopRequested) {
          this.#send({ type: 'paused', step: this.#position.step });
          await this.#control.untilResumed();
          this.#windowStart = performance.now();
          if (!this.#control.stopRequested)
            this.#send({ type: 'resumed', step: this.#position.step });
        }
        if (this.#control.stopRequested && !last) {
          await next?.catch(() => undefined);
          await this.#flush();
          await this.#checkpoint(false);
          return;
        }
      }
      await this.#endEpoch();
      if (this.#control.stopRequested) return;
    }
  }

  /** One optimiser step on the images `pixels` (n×S×S×3 uint8) with indices `idx`. */
  #step(pixels: Uint8Array, idx: number[]): void {
    const c = this.config;
    const method = this.#method!;
    const step = this.#position.step;
    const lr = this.#lr(step);
    const info = {
      step,
      totalSteps: this.#totalSteps(),
      gradNorms: c.gradNormsEvery > 0 && step % c.gradNormsEvery === 0,
    };
    const batch = methodBatch(
      method.batchKind,
      pixels,
      idx,
      this.#data.size,
      this.#data.labels,
      c.augmentation,
      deriveSeed(c.seed, 'augment', step),
    );
    let r: StepResult;
    try {
      r = method.step(batch, this.#optimizer!, lr, info);
      method.afterStep(info);
    } finally {
      tf.dispose(Object.values(batch) as tf.Tensor[]);
    }
    this.#pending.push({ loss: r.loss, extra: r.extra, gradNorms: r.gradNorms });
    this.#windowLr.push(lr);
  }

  /** Reads the pending step scalars back (one await per kind), checks the loss, sends a step event. */
  async #flush(): Promise<void> {
    const pending = this.#pending.splice(0);
    const lrs = this.#windowLr.splice(0);
    if (pending.length === 0) return;
    const values = await readStepWindow(pending);
    const { losses, extras, gradNorms } = values;
    const keys = Object.keys(extras);
    const firstStep = this.#position.step - pending.length;
    for (let i = 0; i < losses.length; i++) {
      if (!Number.isFinite(losses[i])) {
        const good = this.#lastCheckpoint
          ? `the last good checkpoint (epoch ${this.#lastCheckpoint.position.epoch}, step ${this.#lastCheckpoint.position.step}) is kept`
          : 'no checkpoint was taken yet';
        throw new NonFiniteLoss(
          `training stopped: the loss became ${losses[i]} at step ${firstStep + i} (epoch ${this.#position.epoch + 1}); ${good}. Try a lower learning rate or a smaller batch.`,
        );
      }
    }
    this.#epochStats.add(values);
    const now = performance.now();
    const secs = Math.max(1e-6, (now - this.#windowStart) / 1000);
    this.#windowStart = now;
    const point: StepPoint = {
      step: this.#position.step,
      epoch: this.#position.epoch,
      loss: mean(losses),
      lr: lrs[lrs.length - 1],
      imagesPerSec: (pending.length * this.config.batchSize) / secs,
      extras: Object.fromEntries(keys.map((k) => [k, mean(extras[k])])),
    };
    this.#curves.steps.push(point);
    const secPerStep = secs / pending.length;
    const e: TrainEvent = {
      type: 'step',
      ...point,
      totalSteps: this.#totalSteps(),
      etaSec: (this.#totalSteps() - point.step) * secPerStep,
    };
    if (gradNorms) e.gradNorms = gradNorms;
    this.#send(e);
  }

  async #endEpoch(): Promise<void> {
    const c = this.config;
    const seconds = (performance.now() - this.#epochStart) / 1000;
    const epoch = this.#position.epoch + 1;
    this.#position = { epoch, stepInEpoch: 0, step: this.#position.step };
    const point = this.#epochStats.point(epoch, this.#position.step, seconds);
    const due = c.monitor.knnEvery > 0 && (epoch % c.monitor.knnEvery === 0 || epoch === c.epochs);
    if (due) Object.assign(point, await this.#monitors());
    const improved = this.#finishEpochPoint(point);
    if (epoch % c.checkpointEvery === 0 || epoch === c.epochs || this.#control.stopRequested)
      await this.#checkpoint(improved);
  }

  /** Records an epoch point, updates the best metric; returns whether it improved. */
  #finishEpochPoint(point: EpochPoint): boolean {
    this.#curves.epochs.push(point);
    this.#send({ type: 'epoch', epochs: this.config.epochs, ...point });
    const best = improvedBest(this.#best, point, bestMetricFor(this.config.method.method));
    if (!best) return false;
    this.#best = best;
    return true;
  }

  async #monitors() {
    return measureMonitors(
      this.#method!,
      this.#data,
      this.#monitorData,
      this.#plan!,
      this.config.augmentation,
      this.config.monitor,
      Math.max(this.#data.numClasses, this.#monitorData.numClasses),
    );
  }

  async #checkpoint(isBest: boolean): Promise<void> {
    const ckpt = await captureCheckpoint({
      config: this.config,
      backbone: this.#backbone!.model,
      method: this.#method!,
      optimizer: this.#optimizer!,
      position: this.#position,
      curves: this.#curves,
      best: this.#best,
    });
    if (!checkpointIsFinite(ckpt)) {
      throw new NonFiniteLoss(
        `training stopped: the weights became NaN or infinite by step ${this.#position.step}; ${this.#lastCheckpoint ? `the last good checkpoint (step ${this.#lastCheckpoint.position.step}) is kept` : 'no checkpoint was taken yet'}. Try a lower learning rate.`,
      );
    }
    this.#lastCheckpoint = ckpt;
    this.#send({
      type: 'checkpoint',
      epoch: ckpt.position.epoch,
      step: ckpt.position.step,
      isBest,
      checkpoint: ckpt,
    });
  }

  #releasePending(): void {
    disposePending(this.#pending.splice(0));
    this.#windowLr = [];
  }
}

/** Lets queued messages (pause/stop from the page) run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
