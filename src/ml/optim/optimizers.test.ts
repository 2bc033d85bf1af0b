/** Optimisers against hand-computed numbers and an element-wise plain-JS re-implementation. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { createOptimizer, type OptimizerConfig } from './optimizers';

beforeAll(async () => {
  await useWasmBackend();
});

const close = (t: tf.Tensor, want: number[], digits = 5) => {
  const got = Array.from(t.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
};

/** Runs `steps` updates of a kernel w [2,2] and a bias b [2] with gradient lists; returns final values. */
function run(
  cfg: OptimizerConfig,
  w0: number[],
  b0: number[],
  gw: number[][],
  gb: number[][],
  lrs: number[],
) {
  const w = tf.variable(tf.tensor2d(w0, [2, 2]));
  const b = tf.variable(tf.tensor1d(b0));
  const opt = createOptimizer(cfg);
  gw.forEach((g, s) => {
    const grads = { [w.name]: tf.tensor2d(g, [2, 2]), [b.name]: tf.tensor1d(gb[s]) };
    opt.apply([w, b], grads, lrs[s]);
    tf.dispose(grads);
  });
  const out = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()) };
  opt.dispose();
  w.dispose();
  b.dispose();
  return out;
}

/** Element-wise reference of each rule (decay only when `decay`), in plain numbers. */
function reference(
  cfg: OptimizerConfig,
  x0: number[],
  gs: number[][],
  lrs: number[],
  decay: boolean,
): number[] {
  const x = [...x0];
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  gs.forEach((g0, s) => {
    const lr = lrs[s];
    const t = s + 1;
    if (cfg.kind === 'sgd') {
      const mu = cfg.momentum ?? 0;
      x.forEach((xi, i) => {
        let g = g0[i] + (decay ? (cfg.weightDecay ?? 0) * xi : 0);
        if (mu > 0) {
          m[i] = mu * m[i] + g;
          g = cfg.nesterov ? g + mu * m[i] : m[i];
        }
        x[i] = xi - lr * g;
      });
    } else if (cfg.kind === 'adam' || cfg.kind === 'adamw') {
      const [b1, b2, eps, wd] = [
        cfg.beta1 ?? 0.9,
        cfg.beta2 ?? 0.999,
        cfg.epsilon ?? 1e-8,
        decay ? (cfg.weightDecay ?? 0) : 0,
      ];
      x.forEach((xi, i) => {
        let g = g0[i];
        let base = xi;
        if (cfg.kind === 'adamw') base = xi * (1 - lr * wd);
        else g += wd * xi;
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        x[i] = base - (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      });
    }
  });
  return x;
}

describe('SGD', () => {
  it('first step with momentum and weight decay, by hand: decay on the kernel only', () => {
    const r = run(
      { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 },
      [1, 2, 3, 4],
      [1, -1],
      [[0.5, -0.5, 1, 0]],
      [[0.2, 0.4]],
      [0.1],
    );
    // w − 0.1·(g + 0.01·w);  b − 0.1·g (rank-1: no decay)
    expect(r.w.map((x) => +x.toFixed(6))).toEqual([0.949, 2.048, 2.897, 3.996]);
    expect(r.b.map((x) => +x.toFixed(6))).toEqual([0.98, -1.04]);
  });
  it('second step accumulates the momentum buffer, by hand', () => {
    const g = [0.5, -0.5, 1, 0];
    const r = run(
      { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 },
      [1, 2, 3, 4],
      [1, -1],
      [g, g],
      [
        [0.2, 0.4],
        [0.2, 0.4],
      ],
      [0.1, 0.1],
    );
    expect(r.w.map((x) => +x.toFixed(6))).toEqual([0.852151, 2.139152, 2.701403, 3.988404]);
    expect(r.b.map((x) => +x.toFixed(6))).toEqual([0.942, -1.116]);
  });
  for (const cfg of [
    { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.05 },
    { kind: 'sgd' },
    { kind: 'adam', weightDecay: 0.1 },
    { kind: 'adamw', weightDecay: 0.1, beta1: 0.8 },
  ] as OptimizerConfig[]) {
    it(`${JSON.stringify(cfg)} matches the element-wise rule over 3 steps`, () => {
      const gw = [
        [0.5, -0.5, 1, 0],
        [0.1, 0.3, -0.2, 0.05],
        [-0.4, 0.2, 0.3, 1],
      ];
      const gb = [
        [0.2, 0.4],
        [-0.1, 0.3],
        [0.5, -0.5],
      ];
      const lrs = [0.1, 0.05, 0.2];
      const r = run(cfg, [1, 2, 3, 4], [1, -1], gw, gb, lrs);
      reference(cfg, [1, 2, 3, 4], gw, lrs, true).forEach((x, i) =>
        expect(r.w[i]).toBeCloseTo(x, 5),
      );
      reference(cfg, [1, -1], gb, lrs, false).forEach((x, i) => expect(r.b[i]).toBeCloseTo(x, 5));
    });
  }
});

describe('Adam / AdamW', () => {
  it('first Adam step moves each weight by lr·sign(g)', () => {
    const r = run(
      { kind: 'adam' },
      [1, 2, 3, 4],
      [1, -1],
      [[0.5, -0.5, 2, -3]],
      [[0.2, -0.4]],
      [0.1],
    );
    close(tf.tensor(r.w), [0.9, 2.1, 2.9, 4.1]);
    close(tf.tensor(r.b), [0.9, -0.9]);
  });
  it('AdamW shrinks the kernel by lr·wd·w before the step, never the bias', () => {
    const r = run(
      { kind: 'adamw', weightDecay: 0.5 },
      [1, 2, 3, 4],
      [1, -1],
      [[0.5, -0.5, 2, -3]],
      [[0.2, -0.4]],
      [0.1],
    );
    close(tf.tensor(r.w), [0.95 - 0.1, 1.9 + 0.1, 2.85 - 0.1, 3.8 + 0.1]);
    close(tf.tensor(r.b), [0.9, -0.9]);
  });
});

describe('LARS', () => {
  function lars(w0: number[], gw: number[], wd: number, eta: number, lr: number) {
    const w = tf.variable(tf.tensor2d(w0, [1, 2]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = createOptimizer({
      kind: 'lars',
      momentum: 0.9,
      weightDecay: wd,
      trustCoefficient: eta,
    });
    const grads = { [w.name]: tf.tensor2d(gw, [1, 2]), [b.name]: tf.tensor1d([2]) };
    opt.apply([w, b], grads, lr);
    const out = { w: Array.from(w.dataSync()), b: b.dataSync()[0] };
    tf.dispose([grads, w, b]);
    opt.dispose();
    return out;
  }
  it('scales the kernel step by the trust ratio η‖w‖/‖g‖, not the bias', () => {
    // ‖w‖ = 5, ‖g‖ = 1 → trust 0.5; step = 0.5·0.5·g. Bias: plain lr·g, no decay.
    const r = lars([3, 4], [0.6, 0.8], 0, 0.1, 0.5);
    close(tf.tensor(r.w), [2.85, 3.8]);
    expect(r.b).toBeCloseTo(0, 6);
  });
  it('adds weight decay to the gradient before the trust ratio', () => {
    // g ⟂ w, so the decay changes the step's direction as well as its length:
    // w = [3, 4], g = [0.8, −0.6], λ = 0.1 → g' = g + λw = [1.1, −0.2], ‖g'‖ = √1.25;
    // trust = η‖w‖/‖g'‖ = 0.1·5/√1.25 = 0.4472136; step = lr·trust·g' = [0.2459675, −0.0447214].
    // (Without decay: trust 0.5, step [0.2, −0.15] → w [2.8, 4.15], which this test rejects.)
    const r = lars([3, 4], [0.8, -0.6], 0.1, 0.1, 0.5);
    const trust = (0.1 * 5) / Math.sqrt(1.1 ** 2 + 0.2 ** 2);
    close(tf.tensor(r.w), [3 - 0.5 * trust * 1.1, 4 + 0.5 * trust * 0.2]);
    close(tf.tensor(r.w), [2.7540325, 4.0447214]);
    expect(r.b).toBeCloseTo(0, 6);
  });
  it('uses trust 1 when the gradient is zero', () => {
    const r = lars([3, 4], [0, 0], 0, 0.1, 0.5);
    close(tf.tensor(r.w), [3, 4]);
  });
});

describe('optimizer state', () => {
  it('getState/setState resumes exactly', () => {
    const cfg: OptimizerConfig = { kind: 'adam' };
    const gs = [
      [0.5, -0.5, 1, 0],
      [0.1, 0.3, -0.2, 0.05],
    ];
    const full = run(
      cfg,
      [1, 2, 3, 4],
      [1, -1],
      [...gs, ...gs],
      [
        [1, 1],
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      [0.1, 0.1, 0.1, 0.1],
    );
    const w = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const b = tf.variable(tf.tensor1d([1, -1]));
    const a = createOptimizer(cfg);
    const step = (o: ReturnType<typeof createOptimizer>, g: number[]) => {
      const grads = { [w.name]: tf.tensor2d(g, [2, 2]), [b.name]: tf.tensor1d([1, 1]) };
      o.apply([w, b], grads, 0.1);
      tf.dispose(grads);
    };
    gs.forEach((g) => step(a, g));
    const state = a.getState([w, b]);
    a.dispose();
    const resumed = createOptimizer(cfg);
    resumed.setState([w, b], state);
    tf.dispose(state.slots);
    gs.forEach((g) => step(resumed, g));
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(full.w[i], 6));
    expect(() =>
      createOptimizer({ kind: 'sgd' }).setState([w, b], { kind: 'adam', t: 0, slots: [[], []] }),
    ).toThrow(/adam/);
    resumed.dispose();
    tf.dispose([w, b]);
  });
  it('names valid kinds for an unknown one, and keeps tensors flat', () => {
    expect(() => createOptimizer({ kind: 'rmsprop' } as unknown as OptimizerConfig)).toThrow(
      /sgd, adam, adamw, lars/,
    );
    const start = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.ones([3, 3])));
    for (const kind of ['sgd', 'adam', 'adamw', 'lars'] as const) {
      const opt = createOptimizer({ kind, weightDecay: 0.1 } as OptimizerConfig);
      const g = { [w.name]: tf.ones([3, 3]) };
      opt.apply([w], g, 0.01);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) opt.apply([w], g, 0.01);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(g);
      opt.dispose();
    }
    w.dispose();
    // Slot variables are freed with the optimiser, and nothing else was left behind.
    expect(tf.memory().numTensors).toBe(start);
  });
});
