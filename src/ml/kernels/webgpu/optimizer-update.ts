/**
 * Fused optimiser steps on webgpu: one WGSL dispatch per parameter tensor updates the parameter and
 * its state (momentum buffer, Adam's m and v) in place, with the same operations in the same order
 * as the tensor-op path in src/ml/optim/optimizers.ts (PyTorch's SGD / Adam / AdamW, SimCLR's LARS).
 * LARS with trust-ratio adaptation computes ‖w‖ and ‖g‖ and then updates inside one workgroup.
 * Scalars derived in double precision (1 − lr·wd, 1 − β^t) are computed here exactly as the
 * tensor path computes them and passed as f32 uniforms.
 */
import * as tf from '@tensorflow/tfjs';
import { flatDispatch, sizeOf, type Dispatch, type ProgramCost } from './program';
import { dispatchReadWrite, webgpuInternals, writableInPlace } from './read-write-dispatch';

/** One variable's update rule; `wd` is 0 where the variable does not decay. */
export type FusedRule =
  | { kind: 'sgd'; momentum: number; nesterov: boolean; wd: number }
  | { kind: 'adam'; beta1: number; beta2: number; epsilon: number; wd: number; decoupled: boolean }
  | { kind: 'lars'; momentum: number; nesterov: boolean; wd: number; eta: number; adapt: boolean };

const WG = 256;

/** Fused updates dispatched so far (tests check the fused path really ran). */
export const fusedUpdateStats = { dispatches: 0 };

/** The WGSL program of one rule on a tensor of `n` elements, with its cost for the profiler. */
export class OptimizerUpdateProgram {
  readonly shaderKey: string;
  readonly dispatch: Dispatch;
  readonly workgroupSize: Dispatch = [WG, 1, 1];
  /** Bindings in order: param, grad, then the state slots. */
  readonly slots: number;
  readonly #rule: FusedRule;
  readonly #n: number;

  constructor(rule: FusedRule, n: number) {
    this.#rule = rule;
    this.#n = n;
    const single = rule.kind === 'lars' && rule.adapt;
    this.dispatch = single ? [1, 1, 1] : flatDispatch(n, WG);
    this.slots = rule.kind === 'adam' ? 2 : rule.kind === 'sgd' && rule.momentum <= 0 ? 0 : 1;
    const flags =
      rule.kind === 'adam'
        ? [rule.wd > 0, rule.decoupled]
        : rule.kind === 'sgd'
          ? [rule.wd > 0, rule.momentum > 0, rule.nesterov]
          : [rule.wd > 0, rule.nesterov, rule.adapt];
    this.shaderKey = `simlabOptimizer_${rule.kind}_${flags.map(Number).join('')}`;
  }

  /** Uniform values in the order of the shader's Uniforms struct. */
  uniformData(lr: number, t: number): { type: 'float32' | 'int32'; data: number[] }[] {
    const r = this.#rule;
    const f = (x: number) => ({ type: 'float32' as const, data: [x] });
    const n = { type: 'int32' as const, data: [this.#n] };
    if (r.kind === 'sgd') return [n, f(lr), f(r.wd), f(r.momentum)];
    if (r.kind === 'lars') return [n, f(lr), f(r.wd), f(r.momentum), f(r.eta)];
    return [
      n,
      f(lr),
      f(r.wd),
      f(1 - lr * r.wd),
      f(r.beta1),
      f(1 - r.beta1),
      f(r.beta2),
      f(1 - r.beta2),
      f(1 - Math.pow(r.beta1, t)),
      f(1 - Math.pow(r.beta2, t)),
      f(r.epsilon),
    ];
  }

  getCode(): string {
    const r = this.#rule;
    const slotDecls = Array.from(
      { length: this.slots },
      (_, i) => `@group(0) @binding(${2 + i}) var<storage, read_write> slot${i} : array<f32>;`,
    ).join('\n');
    const head = (fields: string) => `
      struct Uniforms { n : i32, lr : f32, wd : f32, ${fields} };
      @group(0) @binding(0) var<storage, read_write> param : array<f32>;
      @group(0) @binding(1) var<storage, read> grad : array<f32>;
      ${slotDecls}
      @group(0) @binding(${2 + this.slots}) var<uniform> u : Uniforms;`;
    const flatMain = (body: string) => `
      @compute @workgroup_size(${WG})
      fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
              @builtin(local_invocation_index) li : u32) {
        let i = i32((wg.y * nwg.x + wg.x) * ${WG}u + li);
        if (i >= u.n) { return; }
        ${body}
      }`;
    if (r.kind === 'sgd') {
      return `${head('momentum : f32,')}
        ${flatMain(`
          let w = param[i];
          var g = grad[i];
          ${r.wd > 0 ? 'g = g + w * u.wd;' : ''}
          ${
            r.momentum > 0
              ? `let buf = slot0[i] * u.momentum + g;
                 slot0[i] = buf;
                 g = ${r.nesterov ? 'g + buf * u.momentum' : 'buf'};`
              : ''
          }
          param[i] = w - g * u.lr;`)}`;
    }
    if (r.kind === 'adam') {
      return `${head(`oneMinusLrWd : f32, beta1 : f32, oneMinusBeta1 : f32, beta2 : f32,
          oneMinusBeta2 : f32, bias1 : f32, bias2 : f32, epsilon : f32,`)}
        ${flatMain(`
          let v = param[i];
          var w = v;
          var g = grad[i];
          ${r.wd > 0 && r.decoupled ? 'w = v * u.oneMinusLrWd;' : ''}
          ${r.wd > 0 && !r.decoupled ? 'g = g + v * u.wd;' : ''}
          let m = slot0[i] * u.beta1 + g * u.oneMinusBeta1;
          let s = slot1[i] * u.beta2 + (g * g) * u.oneMinusBeta2;
          slot0[i] = m;
          slot1[i] = s;
          let mHat = m / u.bias1;
          let sHat = s / u.bias2;
          param[i] = w - (mHat / (sqrt(sHat) + u.epsilon)) * u.lr;`)}`;
    }
    const decayed = r.adapt && r.wd > 0 ? 'grad[j] + param[j] * u.wd' : 'grad[j]';
    const update = `
          let step = g * scaledLr;
          let buf = slot0[j] * u.momentum + step;
          slot0[j] = buf;
          param[j] = w - ${r.nesterov ? '(buf * u.momentum + step)' : 'buf'};`;
    if (!r.adapt) {
      return `${head('momentum : f32, eta : f32,')}
        ${flatMain(`
          let j = i;
          let w = param[j];
          let g = grad[j];
          let scaledLr = u.lr;
          ${update}`)}`;
    }
    return `${head('momentum : f32, eta : f32,')}
      var<workgroup> partial : array<vec2<f32>, ${WG}>;
      @compute @workgroup_size(${WG})
      fn main(@builtin(local_invocation_index) li : u32) {
        let first = i32(li);
        var acc = vec2<f32>(0.0);
        for (var j = first; j < u.n; j += ${WG}) {
          let w = param[j];
          let g = ${decayed};
          acc = acc + vec2<f32>(w * w, g * g);
        }
        partial[li] = acc;
        workgroupBarrier();
        for (var half = ${WG / 2}u; half > 0u; half = half / 2u) {
          if (li < half) { partial[li] = partial[li] + partial[li + half]; }
          workgroupBarrier();
        }
        let norms = sqrt(workgroupUniformLoad(&partial[0]));
        // trust = η‖w‖/‖g‖, or 1 when either norm is zero (SimCLR's LARS).
        let safe = (norms.x / max(norms.y, 1e-30)) * u.eta;
        let trust = select(1.0, safe, norms.x > 0.0 && norms.y > 0.0);
        let scaledLr = trust * u.lr;
        for (var j = first; j < u.n; j += ${WG}) {
          let w = param[j];
          let g = ${decayed};
          ${update}
        }
      }`;
  }

  cost(): ProgramCost {
    const n = this.#n;
    const adapt = this.#rule.kind === 'lars' && this.#rule.adapt;
    const tensors = 2 + this.slots;
    return {
      serialMacs: adapt ? 2 * Math.ceil(n / WG) + Math.log2(WG) : 1,
      macs: 0,
      bytesRead: 4 * n * tensors,
      bytesWritten: 4 * n * (1 + this.slots),
      memoryBound: true,
      work: n,
      flops: n * (this.#rule.kind === 'adam' ? 12 : 4),
    };
  }
}

/**
 * Applies `rule` to variable `v` with gradient `grad` (same shape) and state `slots` at learning
 * rate `lr`, step `t` (Adam's bias correction), as one dispatch on the webgpu backend. Returns false
 * (and does nothing) on any other backend or for non-float32 tensors: the caller then takes the
 * tensor-op path. Does not dispose `grad`. A parameter or slot whose buffer other tensors share is
 * first copied into a buffer of its own (then assigned back), so no other tensor sees the write.
 */
export function applyFusedUpdate(
  rule: FusedRule,
  v: tf.Variable,
  grad: tf.Tensor,
  slots: tf.Variable[],
  lr: number,
  t: number,
): boolean {
  const b = webgpuInternals();
  if (!b || v.dtype !== 'float32' || grad.dtype !== 'float32') return false;
  if (grad.shape.join(',') !== v.shape.join(',')) return false;
  const program = new OptimizerUpdateProgram(rule, sizeOf(v.shape));
  if (slots.length < program.slots) return false;
  const targets = [v, ...slots.slice(0, program.slots)];
  // Shared buffers (a clone, a checkpoint copy, the first step's initial value) get a copy first.
  const owned = targets.map((x) => (writableInPlace(b, x) ? x : tf.mul(x, 1)));
  dispatchReadWrite(
    b,
    program.shaderKey,
    program.getCode(),
    [owned[0], grad, ...owned.slice(1)],
    [true, false, ...owned.slice(1).map(() => true)],
    program.uniformData(lr, t),
    program.dispatch,
    program.cost(),
  );
  fusedUpdateStats.dispatches++;
  owned.forEach((o, i) => {
    if (o === targets[i]) return;
    targets[i].assign(o);
    o.dispose();
  });
  return true;
}
