/**
 * Optimisers with explicit per-variable state, applied to gradients from tf.variableGrads with a
 * learning rate chosen per step by the caller (see schedules.ts). Weight decay (and LARS trust-ratio
 * adaptation) skip rank-1 variables — biases and BatchNorm γ/β — as in SimCLR and BYOL.
 * Update rules follow PyTorch's SGD / Adam / AdamW and SimCLR's LARS (You et al. 2017).
 */
import * as tf from '@tensorflow/tfjs';
import { applyFusedUpdate, type FusedRule } from '../kernels/webgpu/optimizer-update';

export { OPTIMIZER_KINDS, type OptimizerConfig, type OptimizerKind } from './optimizer-config';
import { OPTIMIZER_KINDS, type OptimizerConfig, type OptimizerKind } from './optimizer-config';

/** Plain-data optimiser state for checkpoints: slots aligned with the variable list given to getState. */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Number of apply() calls so far (Adam's bias-correction t). */
  t: number;
  /** slots[i] are the state tensors of variable i (momentum buffer, or Adam's m and v); [] if none yet. */
  slots: tf.Tensor[][];
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /**
   * One update of `vars` with `grads` (keyed by variable name, as tf.variableGrads returns them) at
   * learning rate `lr`. Variables without a gradient are left alone. Does not dispose `grads`.
   */
  apply(vars: tf.Variable[], grads: tf.NamedTensorMap, lr: number): void;
  /** Copies of the state for `vars` (caller owns the tensors). */
  getState(vars: tf.Variable[]): OptimizerState;
  /** Loads state copied from getState for the same variable list (copies; does not take ownership). */
  setState(vars: tf.Variable[], state: OptimizerState): void;
  /** Frees the slot variables. */
  dispose(): void;
}

/** Whether optimisers use the fused webgpu step when webgpu is active (tests turn it off to compare). */
export const fusedOptimizerEnabled = { value: true };

/** Default decay rule: decay weights of rank ≥ 2 (kernels), never biases or BatchNorm γ/β (rank 1). */
export function decaysByDefault(v: tf.Variable): boolean {
  return v.shape.length > 1;
}

/** Creates an optimiser; `decays(v)` decides which variables get weight decay (and LARS adaptation). */
export function createOptimizer(
  cfg: OptimizerConfig,
  decays: (v: tf.Variable) => boolean = decaysByDefault,
): Optimizer {
  switch (cfg.kind) {
    case 'sgd':
      return new SlotOptimizer(
        cfg,
        1,
        (ctx) => sgdUpdate(ctx, cfg.momentum ?? 0, cfg.nesterov ?? false, cfg.weightDecay ?? 0),
        (v) => ({
          kind: 'sgd',
          momentum: cfg.momentum ?? 0,
          nesterov: cfg.nesterov ?? false,
          wd: decayFor(v, cfg.weightDecay),
        }),
      );
    case 'adam':
    case 'adamw': {
      const decoupled = cfg.kind === 'adamw';
      return new SlotOptimizer(
        cfg,
        2,
        (ctx) => adamUpdate(ctx, cfg, decoupled),
        (v) => ({
          kind: 'adam',
          beta1: cfg.beta1 ?? 0.9,
          beta2: cfg.beta2 ?? 0.999,
          epsilon: cfg.epsilon ?? 1e-8,
          wd: decayFor(v, cfg.weightDecay),
          decoupled,
        }),
      );
    }
    case 'lars':
      return new SlotOptimizer(
        cfg,
        1,
        (ctx) => larsUpdate(ctx, cfg),
        (v) => ({
          kind: 'lars',
          momentum: cfg.momentum ?? 0.9,
          nesterov: cfg.nesterov ?? false,
          wd: cfg.weightDecay ?? 0,
          eta: cfg.trustCoefficient ?? 0.001,
          adapt: decays(v),
        }),
      );
    default: {
      const kind = (cfg as { kind: string }).kind;
      throw new Error(`unknown optimizer "${kind}"; valid: ${OPTIMIZER_KINDS.join(', ')}`);
    }
  }

  /** The weight decay `v` gets (0 if it does not decay), as the tensor-op updates below decide. */
  function decayFor(v: tf.Variable, wd: number | undefined): number {
    return (wd ?? 0) > 0 && decays(v) ? (wd ?? 0) : 0;
  }

  function sgdUpdate(ctx: UpdateCtx, mu: number, nesterov: boolean, wd: number): void {
    let g = ctx.grad;
    if (wd > 0 && decays(ctx.v)) g = tf.add(g, tf.mul(ctx.v, wd));
    if (mu > 0) {
      const buf = tf.add(tf.mul(ctx.slots[0], mu), g);
      ctx.slots[0].assign(buf);
      g = nesterov ? tf.add(g, tf.mul(buf, mu)) : buf;
    }
    ctx.v.assign(tf.sub(ctx.v, tf.mul(g, ctx.lr)));
  }

  function adamUpdate(
    ctx: UpdateCtx,
    c: { beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number },
    decoupled: boolean,
  ): void {
    const b1 = c.beta1 ?? 0.9;
    const b2 = c.beta2 ?? 0.999;
    const eps = c.epsilon ?? 1e-8;
    const wd = c.weightDecay ?? 0;
    const decay = wd > 0 && decays(ctx.v);
    let w: tf.Tensor = ctx.v;
    let g = ctx.grad;
    if (decay && decoupled) w = tf.mul(w, 1 - ctx.lr * wd);
    if (decay && !decoupled) g = tf.add(g, tf.mul(ctx.v, wd));
    const m = tf.add(tf.mul(ctx.slots[0], b1), tf.mul(g, 1 - b1));
    const s = tf.add(tf.mul(ctx.slots[1], b2), tf.mul(tf.square(g), 1 - b2));
    ctx.slots[0].assign(m);
    ctx.slots[1].assign(s);
    const mHat = tf.div(m, 1 - Math.pow(b1, ctx.t));
    const sHat = tf.div(s, 1 - Math.pow(b2, ctx.t));
    ctx.v.assign(tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(sHat), eps)), ctx.lr)));
  }

  function larsUpdate(
    ctx: UpdateCtx,
    c: { momentum?: number; nesterov?: boolean; weightDecay?: number; trustCoefficient?: number },
  ): void {
    const mu = c.momentum ?? 0.9;
    const wd = c.weightDecay ?? 0;
    const eta = c.trustCoefficient ?? 0.001;
    let g = ctx.grad;
    let scaledLr: tf.Tensor | number = ctx.lr;
    if (decays(ctx.v)) {
      if (wd > 0) g = tf.add(g, tf.mul(ctx.v, wd));
      const wNorm = tf.norm(ctx.v);
      const gNorm = tf.norm(g);
      // trust = η‖w‖/‖g‖, or 1 when either norm is zero (SimCLR's LARS).
      const safe = tf.mul(tf.div(wNorm, tf.maximum(gNorm, 1e-30)), eta);
      const trust = tf.where(
        tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0)),
        safe,
        tf.onesLike(safe),
      );
      scaledLr = tf.mul(trust, ctx.lr);
    }
    const step = tf.mul(g, scaledLr);
    const buf = tf.add(tf.mul(ctx.slots[0], mu), step);
    ctx.slots[0].assign(buf);
    const update = c.nesterov ? tf.add(tf.mul(buf, mu), step) : buf;
    ctx.v.assign(tf.sub(ctx.v, update));
  }
}

interface UpdateCtx {
  v: tf.Variable;
  grad: tf.Tensor;
  slots: tf.Variable[];
  lr: number;
  t: number;
}

class SlotOptimizer implements Optimizer {
  #slots = new Map<string, tf.Variable[]>();
  #t = 0;
  readonly config: OptimizerConfig;
  readonly #nSlots: number;
  readonly #update: (ctx: UpdateCtx) => void;
  /** The same rule for the fused webgpu step (kernels/webgpu/optimizer-update.ts). */
  readonly #fused: (v: tf.Variable) => FusedRule;

  constructor(
    config: OptimizerConfig,
    nSlots: number,
    update: (ctx: UpdateCtx) => void,
    fused: (v: tf.Variable) => FusedRule,
  ) {
    this.config = config;
    this.#nSlots = nSlots;
    this.#update = update;
    this.#fused = fused;
  }

  #slotsFor(v: tf.Variable): tf.Variable[] {
    let s = this.#slots.get(v.name);
    if (!s) {
      s = [];
      for (let i = 0; i < this.#nSlots; i++)
        s.push(tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
      this.#slots.set(v.name, s);
    }
    return s;
  }

  apply(vars: tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    if (!Number.isFinite(lr)) throw new Error(`learning rate must be finite, got ${lr}`);
    this.#t += 1;
    for (const v of vars) {
      const grad = grads[v.name];
      if (grad == null) continue;
      const slots = this.#slotsFor(v);
      // On webgpu one dispatch updates v and its slots; elsewhere (or if it declines) tensor ops.
      if (
        fusedOptimizerEnabled.value &&
        applyFusedUpdate(this.#fused(v), v, grad, slots, lr, this.#t)
      )
        continue;
      tf.tidy(() => this.#update({ v, grad, slots, lr, t: this.#t }));
    }
  }

  getState(vars: tf.Variable[]): OptimizerState {
    return {
      kind: this.config.kind,
      t: this.#t,
      slots: vars.map((v) => (this.#slots.get(v.name) ?? []).map((s) => s.clone())),
    };
  }

  setState(vars: tf.Variable[], state: OptimizerState): void {
    if (state.kind !== this.config.kind)
      throw new Error(`optimizer state is for ${state.kind}, not ${this.config.kind}`);
    if (state.slots.length !== vars.length) {
      throw new Error(
        `optimizer state has ${state.slots.length} variables, expected ${vars.length}`,
      );
    }
    this.#t = state.t;
    vars.forEach((v, i) => {
      const src = state.slots[i];
      if (src.length === 0) return;
      const dst = this.#slotsFor(v);
      if (src.length !== dst.length)
        throw new Error(
          `optimizer state: variable ${i} has ${src.length} slots, expected ${dst.length}`,
        );
      src.forEach((t, j) => {
        if (t.shape.join(',') !== v.shape.join(','))
          throw new Error(`optimizer state: slot shape [${t.shape}] ≠ [${v.shape}]`);
        dst[j].assign(t);
      });
    });
  }

  dispose(): void {
    for (const s of this.#slots.values()) s.forEach((x) => x.dispose());
    this.#slots.clear();
  }
}
