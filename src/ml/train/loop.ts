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
import { augmentBatch, augmentPair } from '../augment/pipeline';
import { createMethod, type AnyMethod } from '../methods/create-method';
import type { MethodBatch, StepResult } from '../methods/method';
import { createBackbone, type Backbone, type BackboneConfig } from '../models/backbones';
import { createOptimizer, type Optimizer, type OptimizerConfig } from '../optim/optimizers';
import { learningRateAt, type ScheduleConfig } from '../optim/schedules';
import {
  captureCheckpoint,
  checkpointIsFinite,
  restoreCheckpoint,
  type RunPosition,
  type TrainCheckpoint,
} from './checkpoint';
import {
  toMethodConfig,
  type OptimizerSettings,
  type RunConfig,
  type ScheduleSettings,
} from './config';
import type { DataSource } from './data-source';
import type {
  BestMetric,
  Curves,
  EpochPoint,
  StepPoint,
  TrainEvent,
  TrainEventListener,
} from './events';
import { measureMonitors, planMonitor, type MonitorPlan } from './monitor';
import { deriveSeed, epochOrder } from './seeds';

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

/** The optimiser factory's config from the run's optimiser settings. */
export function toOptimizerConfig(o: OptimizerSettings): OptimizerConfig {
  switch (o.name) {
    case 'sgd':
      return {
        kind: 'sgd',
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
      };
    case 'adam':
    case 'adamw':
      return {
        kind: o.name,
        beta1: o.beta1,
        beta2: o.beta2,
        epsilon: o.epsilon,
        weightDecay: o.weightDecay,
      };
    case 'lars':
      return {
        kind: 'lars',
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
        trustCoefficient: o.trustCoefficient,
      };
  }
}

/** The schedule in steps (schedules.ts) from the run's schedule in epochs. */
export function toScheduleConfig(
  s: ScheduleSettings,
  epochs: number,
  stepsPerEpoch: number,
): ScheduleConfig {
  const warmupSteps = Math.round(s.warmupEpochs * stepsPerEpoch);
  switch (s.kind) {
    case 'cosine':
      return {
        kind: 'cosine',
        totalSteps: epochs * stepsPerEpoch,
        warmupSteps,
        finalFactor: s.finalFactor,
      };
    case 'step':
      return { kind: 'step', gamma: s.gamma, everyEpochs: s.every, stepsPerEpoch, warmupSteps };
    case 'constant':
      return { kind: 'constant', warmupSteps };
  }
}

/** Scalars of one step waiting to be read back. */
interface Pending {
  loss: tf.Scalar;
  extra: Record<string, tf.Scalar>;
  gradNorms?: Record<string, tf.Scalar>;
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
  #stopRequested = false;
  #pauseGate: Promise<void> | null = null;
  #openGate: (() => void) | null = null;
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
  #pending: Pending[] = [];
  #windowStart = 0;
  #windowLr: number[] = [];
  // Epoch accumulators (host numbers).
  #epochLosses: number[] = [];
  #epochExtras: Record<string, number[]> = {};
  #lastGradNorms: Record<string, number> | undefined;
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
    if (this.#status !== 'running' || this.#pauseGate) return;
    this.#pauseGate = new Promise((resolve) => (this.#openGate = resolve));
  }

  /** Lets a paused loop continue. */
  resume(): void {
    const open = this.#openGate;
    this.#pauseGate = null;
    this.#openGate = null;
    open?.();
  }

  /** Ends the run after the current step, with a checkpoint of where it stopped. */
  stop(): void {
    this.#stopRequested = true;
    this.resume();
  }

  /** Trains; resolves with 'finished', 'stopped' or 'error' (an 'error' event says why). */
  async run(): Promise<TrainerStatus> {
    if (this.#status !== 'idle')
      throw new Error(`Trainer.run() called twice (status ${this.#status})`);
    this.#status = 'running';
    try {
      this.#build();
      await this.#train();
      this.#status = this.#stopRequested ? 'stopped' : 'finished';
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
    const d = this.#data;
    if (c.method.method === 'supervised') {
      if (d.numClasses < 2)
        throw new Error('supervised training needs a labelled dataset with at least 2 classes');
      if (c.method.numClasses !== d.numClasses) {
        throw new Error(
          `method.numClasses is ${c.method.numClasses} but the dataset has ${d.numClasses} classes`,
        );
      }
    }
    const supervised = c.method.method === 'supervised';
    this.#plan = planMonitor(d, c.monitor, c.seed, {
      supervised,
      queryData: this.#monitorData === d ? undefined : this.#monitorData,
    });
    this.#stepsPerEpoch = Math.floor(this.#plan.train.length / c.batchSize);
    if (this.#stepsPerEpoch < 1) {
      throw new Error(
        `batch size ${c.batchSize} is larger than the ${this.#plan.train.length} training images${supervised ? ' (labelled)' : ''}: lower the batch size`,
      );
    }
    const resume = this.#resumeFrom;
    this.#backbone = createBackbone(c.backbone, { initWeights: !resume });
    this.#method = createMethod(this.#backbone.model, toMethodConfig(c.method));
    this.#optimizer = createOptimizer(toOptimizerConfig(c.optimizer));
    if (resume) {
      if (JSON.stringify(resume.config) !== JSON.stringify(c)) {
        throw new Error(
          'the checkpoint belongs to a different run config; resume with the config stored in the checkpoint',
        );
      }
      restoreCheckpoint(resume, {
        backbone: this.#backbone.model,
        method: this.#method,
        optimizer: this.#optimizer,
      });
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
      if (this.#position.stepInEpoch === 0) this.#resetEpochAccumulators();
      this.#windowStart = performance.now();
      let next: Promise<Uint8Array> | null = null;
      for (let b = this.#position.stepInEpoch; b < this.#stepsPerEpoch; b++) {
        const idx = order.slice(b * c.batchSize, (b + 1) * c.batchSize);
        const pixels = await (next ?? this.#data.getImages(idx));
        next =
          b + 1 < this.#stepsPerEpoch
            ? this.#data.getImages(order.slice((b + 1) * c.batchSize, (b + 2) * c.batchSize))
            : null;
        this.#step(pixels, idx);
        this.#position = { epoch, stepInEpoch: b + 1, step: this.#position.step + 1 };
        const last = b + 1 === this.#stepsPerEpoch;
        if (last || this.#position.step % c.logEvery === 0) await this.#flush();
        else await yieldToEventLoop();
        if (this.#pauseGate && !this.#stopRequested) {
          this.#send({ type: 'paused', step: this.#position.step });
          await this.#pauseGate;
          this.#windowStart = performance.now();
          if (!this.#stopRequested) this.#send({ type: 'resumed', step: this.#position.step });
        }
        if (this.#stopRequested && !last) {
          await next?.catch(() => undefined);
          await this.#flush();
          await this.#checkpoint(false);
          return;
        }
      }
      await this.#endEpoch();
      if (this.#stopRequested) return;
    }
  }

  /** One optimiser step on the images `pixels` (n×S×S×3 uint8) with indices `idx`. */
  #step(pixels: Uint8Array, idx: number[]): void {
    const c = this.config;
    const method = this.#method!;
    const step = this.#position.step;
    const s = this.#data.size;
    const n = idx.length;
    const lr = this.#lr(step);
    const augSeed = deriveSeed(c.seed, 'augment', step);
    const info = {
      step,
      totalSteps: this.#totalSteps(),
      gradNorms: c.gradNormsEvery > 0 && step % c.gradNormsEvery === 0,
    };
    const batch: MethodBatch = tf.tidy(() => {
      const x = tf.tensor4d(Int32Array.from(pixels), [n, s, s, 3], 'int32');
      if (method.batchKind === 'labeled') {
        const v = augmentBatch(x, c.augmentation.views[0], c.augmentation.outputSize, augSeed);
        return {
          x: v,
          y: tf.tensor1d(
            idx.map((i) => this.#data.labels[i]),
            'int32',
          ),
        };
      }
      const [v1, v2] = augmentPair(x, c.augmentation, augSeed);
      return { v1, v2 };
    });
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
    const keys = Object.keys(pending[0].extra);
    const gn = pending.filter((p) => p.gradNorms).at(-1)?.gradNorms;
    const gnKeys = gn ? Object.keys(gn) : [];
    let losses: Float32Array;
    const extras: Record<string, Float32Array> = {};
    let gradNorms: Record<string, number> | undefined;
    try {
      // One tensor per kind: [loss, ...extras, gradNorms?], each stacked over the window's steps.
      const stacked: tf.Tensor[] = tf.tidy(() => [
        tf.stack(pending.map((p) => p.loss)),
        ...keys.map((k) => tf.stack(pending.map((p) => p.extra[k]))),
        ...(gn ? [tf.stack(gnKeys.map((k) => gn[k]))] : []),
      ]);
      try {
        losses = (await stacked[0].data()) as Float32Array;
        for (let i = 0; i < keys.length; i++)
          extras[keys[i]] = (await stacked[1 + i].data()) as Float32Array;
        if (gn) {
          const g = await stacked[1 + keys.length].data();
          gradNorms = Object.fromEntries(gnKeys.map((k, i) => [k, g[i]]));
        }
      } finally {
        tf.dispose(stacked);
      }
    } finally {
      for (const p of pending)
        tf.dispose([p.loss, ...Object.values(p.extra), ...Object.values(p.gradNorms ?? {})]);
    }
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
    this.#epochLosses.push(...losses);
    for (const k of keys) (this.#epochExtras[k] ??= []).push(...extras[k]);
    if (gradNorms) this.#lastGradNorms = gradNorms;
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

  #resetEpochAccumulators(): void {
    this.#epochLosses = [];
    this.#epochExtras = {};
    this.#lastGradNorms = undefined;
  }

  async #endEpoch(): Promise<void> {
    const c = this.config;
    const seconds = (performance.now() - this.#epochStart) / 1000;
    const epoch = this.#position.epoch + 1;
    this.#position = { epoch, stepInEpoch: 0, step: this.#position.step };
    const point: EpochPoint = {
      epoch,
      step: this.#position.step,
      trainLoss: mean(this.#epochLosses),
      seconds,
    };
    const ex = this.#epochExtras;
    if (ex.accuracy) point.trainAcc = mean(ex.accuracy);
    if (ex.zStd) point.zStd = mean(ex.zStd);
    if (this.#lastGradNorms) point.gradNorms = this.#lastGradNorms;
    const due = c.monitor.knnEvery > 0 && (epoch % c.monitor.knnEvery === 0 || epoch === c.epochs);
    if (due) Object.assign(point, await this.#monitors());
    const improved = this.#finishEpochPoint(point);
    if (epoch % c.checkpointEvery === 0 || epoch === c.epochs || this.#stopRequested)
      await this.#checkpoint(improved);
  }

  /** Records an epoch point, updates the best metric; returns whether it improved. */
  #finishEpochPoint(point: EpochPoint): boolean {
    this.#curves.epochs.push(point);
    this.#send({ type: 'epoch', epochs: this.config.epochs, ...point });
    const metric: BestMetric['metric'] =
      this.config.method.method === 'supervised' ? 'valAcc' : 'knnTop1';
    const value = point[metric];
    if (value === undefined || point.epoch === 0) return false;
    if (this.#best && this.#best.metric === metric && value <= this.#best.value) return false;
    this.#best = { metric, value, epoch: point.epoch };
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
    for (const p of this.#pending.splice(0))
      tf.dispose([p.loss, ...Object.values(p.extra), ...Object.values(p.gradNorms ?? {})]);
    this.#windowLr = [];
  }
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Lets queued messages (pause/stop from the page) run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
