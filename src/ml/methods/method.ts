/**
 * The one interface every training method (supervised, SimCLR, BYOL, SimSiam, MoCo v2) implements,
 * plus the shared step machinery: gradients with tf.variableGrads, optimiser update, per-layer
 * gradient norms, and checkpoint state of everything the method owns.
 *
 * A training loop drives any method the same way:
 *   const method = createMethod(backbone, { method: 'byol', tauBase: 0.996 });
 *   const opt = createOptimizer({ kind: 'lars', momentum: 0.9, weightDecay: 1e-6 });
 *   for (let step = 0; step < total; step++) {
 *     const info = { step, totalSteps: total, gradNorms: step % 50 === 0 };
 *     const r = method.step({ v1, v2 }, opt, learningRateAt(base, schedule, step), info);
 *     method.afterStep(info);                       // EMA / queue; always right after step
 *     if (step % 20 === 0) log(await r.loss.data()); // async read-back, every N steps
 *     tf.dispose([r.loss, r.extra, r.gradNorms ?? {}]);
 *   }
 */
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../optim/optimizers';
import type { Encoder } from './encoder';

export { METHOD_NAMES, type MethodName } from './method-names';
import type { MethodName } from './method-names';

/** Two augmented views of the same N images, [N,H,W,C] each (self-supervised methods). */
export interface ViewsBatch {
  v1: tf.Tensor4D;
  v2: tf.Tensor4D;
}
/** Images [N,H,W,C] and int32 class labels [N] (supervised). */
export interface LabeledBatch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}
export type MethodBatch = ViewsBatch | LabeledBatch;

export interface StepInfo {
  /** 0-based optimiser step of this update. */
  step: number;
  /** Total steps of the run (BYOL's τ schedule needs it). */
  totalSteps: number;
  /** Also return per-layer gradient norms. */
  gradNorms?: boolean;
}

/** What a step hands back; the caller owns (and must dispose) every tensor in it. */
export interface StepResult {
  loss: tf.Scalar;
  /** Monitors such as 'zStd' or 'accuracy' (see each method). */
  extra: Record<string, tf.Scalar>;
  /** When asked: L2 norm of the gradient per layer, keyed '<part>/<layer>' (e.g. 'projector/dense_Dense3'). */
  gradNorms?: Record<string, tf.Scalar>;
}

/** Loss and gradients without applying them; the caller owns every tensor. */
export interface LossAndGrads {
  loss: tf.Scalar;
  /** Keyed by variable name (tf.Variable.name), as tf.variableGrads returns them. */
  grads: tf.NamedTensorMap;
  extra: Record<string, tf.Scalar>;
}

/** Checkpoint of what the method owns (heads, target/key networks, queue, counters) — not the online backbone, which the caller owns. */
export interface MethodState {
  method: MethodName;
  /** Completed steps (afterStep calls). */
  step: number;
  scalars: Record<string, number>;
  /** Copies owned by the caller; keys '<part>.<index>' over each part's allVariables, plus method tensors like 'queue'. */
  tensors: Record<string, tf.Tensor>;
}

export interface Method {
  readonly name: MethodName;
  readonly batchKind: 'views' | 'labeled';
  /** Everything the optimiser updates (online backbone + heads), in a fixed order. */
  trainableVariables(): tf.Variable[];
  /** Forward in training mode (BN batch statistics), loss, gradients w.r.t. trainableVariables(). Updates BN moving stats; no weights. */
  lossAndGrads(batch: MethodBatch, info: StepInfo): LossAndGrads;
  /** lossAndGrads + optimizer.apply(trainableVariables(), grads, lr); gradients are disposed here. */
  step(batch: MethodBatch, optimizer: Optimizer, lr: number, info: StepInfo): StepResult;
  /** Call once after every step: EMA of the target (BYOL), momentum encoder + enqueue (MoCo); no-op otherwise. */
  afterStep(info: StepInfo): void;
  /** Backbone embedding in inference mode (BN moving statistics): [N,H,W,C] → [N,D]; caller owns it. */
  embed(x: tf.Tensor4D): tf.Tensor2D;
  getState(): MethodState;
  /** Loads copies of a state from getState (does not take ownership of its tensors). */
  setState(state: MethodState): void;
  /** Frees heads, target networks and queue; the backbone stays the caller's. */
  dispose(): void;
}

/** A named group of variables (a backbone, a head, a target copy) for gradient norms and checkpoints. */
export interface Part {
  name: string;
  trainable(): tf.Variable[];
  all(): tf.Variable[];
}

/** Part view of an Encoder. */
export function encoderPart(name: string, e: Encoder): Part {
  return { name, trainable: () => e.trainableVariables(), all: () => e.allVariables() };
}

/** Part view of a LayersModel head. */
export function modelPart(name: string, m: tf.LayersModel): Part {
  return {
    name,
    trainable: () => m.trainableWeights.map((w) => w.read() as tf.Variable),
    all: () => m.weights.map((w) => w.read() as tf.Variable),
  };
}

export function isViews(b: MethodBatch): b is ViewsBatch {
  return 'v1' in b && 'v2' in b;
}

/** Narrows a batch to two views or throws an error naming the method. */
export function requireViews(b: MethodBatch, method: MethodName): ViewsBatch {
  if (!isViews(b))
    throw new Error(`${method} trains on two views {v1, v2}, got a labelled batch {x, y}`);
  return b;
}

/** Narrows a batch to images + labels or throws. */
export function requireLabeled(b: MethodBatch, method: MethodName): LabeledBatch {
  if (isViews(b))
    throw new Error(`${method} trains on labelled batches {x, y}, got two views {v1, v2}`);
  return b;
}

/** Layer name of a variable: its name without the last '/weight' segment. */
function layerOf(v: tf.Variable): string {
  const i = v.name.lastIndexOf('/');
  return i < 0 ? v.name : v.name.slice(0, i);
}

/** Per-layer gradient L2 norms, keyed '<part>/<layer>'; scalars owned by the caller. */
export function gradNormsByLayer(
  parts: Part[],
  grads: tf.NamedTensorMap,
): Record<string, tf.Scalar> {
  return tf.tidy(() => {
    const sq: Record<string, tf.Tensor[]> = {};
    for (const p of parts) {
      for (const v of p.trainable()) {
        const g = grads[v.name];
        if (!g) continue;
        const key = `${p.name}/${layerOf(v)}`;
        (sq[key] ??= []).push(tf.sum(tf.square(g)));
      }
    }
    const out: Record<string, tf.Scalar> = {};
    for (const [k, list] of Object.entries(sq)) out[k] = tf.sqrt(tf.addN(list)) as tf.Scalar;
    return out;
  });
}

/**
 * Shared implementation of step/getState/setState. Subclasses define `parts` (online first),
 * `ownedParts` (checkpointed), `computeLoss` (called inside tf.variableGrads) and the rest.
 */
export abstract class BaseMethod implements Method {
  abstract readonly name: MethodName;
  abstract readonly batchKind: 'views' | 'labeled';
  /** Completed steps, counted by afterStep. */
  protected completedSteps = 0;

  /** Online parts whose trainable variables the optimiser updates. */
  protected abstract onlineParts(): Part[];
  /** Parts the method owns and checkpoints (heads, target copies). */
  protected abstract ownedParts(): Part[];
  /**
   * Loss as a scalar, recorded on the gradient tape. Put monitors into `extra` with tf.keep (they
   * would be disposed by variableGrads otherwise). Runs inside tf.variableGrads.
   */
  protected abstract computeLoss(
    batch: MethodBatch,
    info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar;
  /** Work before the taped forward (e.g. target projections), returning tensors the step disposes. */
  protected prepare(_batch: MethodBatch, _info: StepInfo): void {}
  /** Frees tensors created by prepare(). */
  protected release(): void {}
  abstract embed(x: tf.Tensor4D): tf.Tensor2D;
  abstract afterStep(info: StepInfo): void;
  protected extraScalars(): Record<string, number> {
    return {};
  }
  protected extraTensors(): Record<string, tf.Tensor> {
    return {};
  }
  protected loadExtra(
    _scalars: Record<string, number>,
    _tensors: Record<string, tf.Tensor>,
  ): void {}
  protected abstract disposeOwned(): void;

  trainableVariables(): tf.Variable[] {
    return this.onlineParts().flatMap((p) => p.trainable());
  }

  lossAndGrads(batch: MethodBatch, info: StepInfo): LossAndGrads {
    const extra: Record<string, tf.Scalar> = {};
    this.prepare(batch, info);
    try {
      const { value, grads } = tf.variableGrads(
        () => this.computeLoss(batch, info, extra),
        this.trainableVariables(),
      );
      return { loss: value, grads, extra };
    } finally {
      this.release();
    }
  }

  step(batch: MethodBatch, optimizer: Optimizer, lr: number, info: StepInfo): StepResult {
    const { loss, grads, extra } = this.lossAndGrads(batch, info);
    const gradNorms = info.gradNorms ? gradNormsByLayer(this.onlineParts(), grads) : undefined;
    optimizer.apply(this.trainableVariables(), grads, lr);
    tf.dispose(grads);
    return gradNorms ? { loss, extra, gradNorms } : { loss, extra };
  }

  getState(): MethodState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const p of this.ownedParts()) {
      p.all().forEach((v, i) => {
        tensors[`${p.name}.${i}`] = v.clone();
      });
    }
    Object.assign(tensors, this.extraTensors());
    return { method: this.name, step: this.completedSteps, scalars: this.extraScalars(), tensors };
  }

  setState(state: MethodState): void {
    if (state.method !== this.name)
      throw new Error(`state is for ${state.method}, not ${this.name}`);
    for (const p of this.ownedParts()) {
      p.all().forEach((v, i) => {
        const t = state.tensors[`${p.name}.${i}`];
        if (!t) throw new Error(`${this.name} state lacks ${p.name}.${i}`);
        if (t.shape.join(',') !== v.shape.join(',')) {
          throw new Error(
            `${this.name} state ${p.name}.${i} has shape [${t.shape}], expected [${v.shape}]`,
          );
        }
        v.assign(t);
      });
    }
    this.completedSteps = state.step;
    this.loadExtra(state.scalars, state.tensors);
  }

  dispose(): void {
    this.release();
    this.disposeOwned();
  }
}
