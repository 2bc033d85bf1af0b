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
import type { RunPosition, TrainCheckpoint } from './checkpoint';
import type { RunConfig } from './config';
import { bestMetricFor, improvedBest } from './best-metric';
import type { DataSource } from './data-source';
import { batchAt } from './epoch-batches';
import { EpochStats } from './epoch-stats';
import type { BestMetric, Curves, EpochPoint, TrainEvent, TrainEventListener } from './events';
import { methodBatch } from './method-batch';
import { PauseStop, yieldToEventLoop } from './pause-stop';
import { measureMonitors, type MonitorPlan } from './monitor';
import { captureFiniteCheckpoint, checkLossesFinite } from './nan-guard';
import { toScheduleConfig } from './optim-settings';
import { buildRunParts, planRun } from './run-setup';
import { deriveSeed, epochOrder } from './seeds';
import { StepReadback, windowPoint } from './step-readback';

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

  readonly #window = new StepReadback();
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

  /**
   * Ends the run now with `error` (no new checkpoint: the last one stands), even while it waits on
   * a read-back that will never come (a lost GPU device). run() then reports 'error'.
   */
  abort(error: Error): void {
    this.#control.abort(error);
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
      this.#window.release();
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
    this.#window.release();
    this.#method?.dispose();
    this.#optimizer?.dispose();
    this.#backbone?.model.dispose();
    this.#method = null;
    this.#optimizer = null;
    this.#backbone = null;
  }

  #send(e: TrainEvent): void {
    // After abort(), only its error and done get out (a read-back still in flight may finish late).
    if (this.#control.abortError && e.type !== 'error' && e.type !== 'done') return;
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
      const m = c.monitor.knnEvery > 0 ? await this.#control.guard(this.#monitors()) : {};
      this.#finishEpochPoint({ epoch: 0, step: 0, ...m });
    }
    while (this.#position.epoch < c.epochs) {
      const epoch = this.#position.epoch;
      const order = epochOrder(this.#plan!.train, c.seed, epoch);
      this.#epochStart = performance.now();
      if (this.#position.stepInEpoch === 0) this.#epochStats.reset();
      this.#window.restartClock();
      let next: Promise<Uint8Array> | null = null;
      for (let b = this.#position.stepInEpoch; b < this.#stepsPerEpoch; b++) {
        const idx = batchAt(order, c.batchSize, b);
        const pixels = await this.#control.guard(next ?? this.#data.getImages(idx));
        next =
          b + 1 < this.#stepsPerEpoch
            ? this.#data.getImages(batchAt(order, c.batchSize, b + 1))
            : null;
        this.#control.throwIfAborted();
        this.#step(pixels, idx);
        this.#position = { epoch, stepInEpoch: b + 1, step: this.#position.step + 1 };
        const last = b + 1 === this.#stepsPerEpoch;
        if (last || this.#position.step % c.logEvery === 0)
          await this.#control.guard(this.#flush());
        else await this.#control.guard(yieldToEventLoop());
        if (this.#control.paused && !this.#control.stopRequested) {
          this.#send({ type: 'paused', step: this.#position.step });
          await this.#control.guard(this.#control.untilResumed());
          this.#window.restartClock();
          if (!this.#control.stopRequested)
            this.#send({ type: 'resumed', step: this.#position.step });
        }
        if (this.#control.stopRequested && !last) {
          await next?.catch(() => undefined);
          await this.#control.guard(this.#flush());
          await this.#control.guard(this.#checkpoint(false));
          return;
        }
      }
      await this.#control.guard(this.#endEpoch());
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
    this.#window.push({ loss: r.loss, extra: r.extra, gradNorms: r.gradNorms }, lr);
  }

  /** Reads the pending step scalars back (one await per kind), checks the loss, sends a step event. */
  async #flush(): Promise<void> {
    const w = await this.#window.read();
    if (!w) return;
    const { step, epoch } = this.#position;
    checkLossesFinite(w.values.losses, step - w.steps, epoch, this.#lastCheckpoint);
    this.#epochStats.add(w.values);
    const point = windowPoint(w, step, epoch, this.config.batchSize);
    this.#curves.steps.push(point);
    const e: TrainEvent = {
      type: 'step',
      ...point,
      totalSteps: this.#totalSteps(),
      etaSec: (this.#totalSteps() - point.step) * (w.seconds / w.steps),
    };
    if (w.values.gradNorms) e.gradNorms = w.values.gradNorms;
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
    const ckpt = await captureFiniteCheckpoint(
      {
        config: this.config,
        backbone: this.#backbone!.model,
        method: this.#method!,
        optimizer: this.#optimizer!,
        position: this.#position,
        curves: this.#curves,
        best: this.#best,
      },
      this.#lastCheckpoint,
    );
    this.#lastCheckpoint = ckpt;
    this.#send({
      type: 'checkpoint',
      epoch: ckpt.position.epoch,
      step: ckpt.position.step,
      isBest,
      checkpoint: ckpt,
    });
  }
}
