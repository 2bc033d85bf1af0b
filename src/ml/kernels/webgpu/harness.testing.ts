/**
 * Browser-test harness for the WebGPU training kernels (bundled by tests/e2e/webgpu-kernels.test.ts
 * and loaded into a page): runs each case on webgpu with simlab's kernels registered, then the same
 * case on tfjs' cpu backend, and reports the worst error. Exposed as window.simlabKernels.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {
  createOptimizer,
  fusedOptimizerEnabled,
  type OptimizerConfig,
} from '../../optim/optimizers';
import { createRng } from '../../rng';
import { fusedUpdateStats } from './optimizer-update';
import { webgpuKernelOptions } from './options';
import { readWriteDispatchListeners, type ReadWriteDispatch } from './read-write-dispatch';
import { registerWebGpuTrainingKernels, webgpuTrainingKernelsRegistered } from './register';

export type CaseOp = 'filter' | 'input' | 'dwFilter' | 'dwInput';
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

export interface KernelCase {
  op: CaseOp;
  /** x shape [B,H,W,Cin]. */
  x: [number, number, number, number];
  /** Filter [kh,kw,Cin,Cout] (depthwise: [kh,kw,C,multiplier]). */
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
  /** Split-K count forced for this case (filter kernels); undefined = planned. */
  splits?: number;
}

export interface CaseResult {
  name: string;
  /** max |gpu − cpu| / (1e-4 + 1e-3·|cpu|): ≤ 1 passes. */
  worst: number;
  maxAbs: number;
  size: number;
}

function caseName(c: KernelCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `pad${c.pad[1].join('/')},${c.pad[2].join('/')}`;
  return `${c.op} x${c.x.join('x')} f${c.filter.join('x')} s${c.strides} ${pad} splits=${c.splits ?? 'auto'}`;
}

function seeded(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

function runCase(c: KernelCase, seed: number): tf.Tensor {
  const depthwise = c.op === 'dwFilter' || c.op === 'dwInput';
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    1,
    c.pad,
    undefined,
    depthwise,
  );
  const dyShape: number[] = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const dy = tf.tensor4d(
      seeded(size(dyShape), seed + 1),
      dyShape as [number, number, number, number],
    );
    const x = tf.tensor(seeded(size(c.x), seed), c.x) as tf.Tensor4D;
    const w = tf.tensor(seeded(size(c.filter), seed + 2), c.filter) as tf.Tensor4D;
    const e = tf.engine();
    const common = { strides: c.strides, pad: c.pad, dimRoundingMode: undefined };
    switch (c.op) {
      case 'filter':
        return e.runKernel('Conv2DBackpropFilter', { x, dy }, {
          ...common,
          dataFormat: 'NHWC',
          filterShape: c.filter,
        } as never) as tf.Tensor;
      case 'input':
        return e.runKernel('Conv2DBackpropInput', { dy, filter: w }, {
          ...common,
          dataFormat: 'NHWC',
          inputShape: c.x,
        } as never) as tf.Tensor;
      case 'dwFilter':
        return e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
          ...common,
          dilations: 1,
          filterShape: c.filter,
        } as never) as tf.Tensor;
      case 'dwInput':
        return e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, {
          ...common,
          dilations: 1,
          inputShape: c.x,
        } as never) as tf.Tensor;
    }
  });
}

async function runAll(cases: KernelCase[], forceSplits: boolean): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < cases.length; i++) {
    webgpuKernelOptions.forceSplits = forceSplits ? cases[i].splits : undefined;
    const t = runCase(cases[i], 1000 + 17 * i);
    out.push((await t.data()) as Float32Array);
    t.dispose();
  }
  webgpuKernelOptions.forceSplits = undefined;
  return out;
}

/** Parameters and state after each of `steps` seeded steps, flattened: [step][tensor] values. */
async function optimizerTrace(cfg: OptimizerConfig, steps: number): Promise<number[][][]> {
  const shapes = [[3, 3, 4, 8], [8], [10, 7]];
  // Initial tensors kept alive: the variables' first buffers are shared (the copy path).
  const init = shapes.map((s, i) =>
    tf.tensor(
      seeded(
        s.reduce((a, b) => a * b, 1),
        50 + i,
      ),
      s,
    ),
  );
  const vars = init.map((t, i) => tf.variable(t, true, `p${i}_${cfg.kind}_${Math.random()}`));
  const opt = createOptimizer(cfg);
  const trace: number[][][] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const grads: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        grads[v.name] = tf.tensor(seeded(v.size, 100 * s + i), v.shape);
      });
      // A state snapshot shares the slots' buffers: the fused step must not write through it.
      const before = opt.getState(vars);
      opt.apply(vars, grads, 0.05 + 0.01 * s);
      const row: number[][] = [];
      for (const v of vars) row.push(Array.from(await v.data()));
      const after = opt.getState(vars);
      for (const slots of [...before.slots, ...after.slots])
        for (const t of slots) {
          row.push(Array.from(await t.data()));
          t.dispose();
        }
      trace.push(row);
      Object.values(grads).forEach((g) => g.dispose());
    }
  } finally {
    opt.dispose();
    vars.forEach((v) => v.dispose());
    init.forEach((t) => t.dispose());
  }
  return trace;
}

function worstOf(a: number[][][], b: number[][][], abs: number, rel: number): number {
  let worst = a.length === b.length ? 0 : Infinity;
  a.forEach((row, s) =>
    row.forEach((t, k) => {
      const r = b[s]?.[k];
      if (!r || r.length !== t.length) worst = Infinity;
      else
        t.forEach((x, j) => {
          const d = Math.abs(x - r[j]);
          worst = Math.max(worst, Number.isNaN(d) ? Infinity : d / (abs + rel * Math.abs(r[j])));
        });
    }),
  );
  return worst;
}

/** One step of a tiny conv net (stride-2 conv, depthwise, 1×1); x [2,9,9,3]. Returns the loss (caller disposes). */
function tinyStep(
  vars: tf.Variable[],
  opt: ReturnType<typeof createOptimizer>,
  x: tf.Tensor4D,
): tf.Scalar {
  const [w1, dw, w2] = vars as tf.Variable<tf.Rank.R4>[];
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.relu(tf.conv2d(x, w1, 2, 'same'));
    const d = tf.relu(tf.depthwiseConv2d(h, dw, 1, 'same'));
    return tf.mean(tf.square(tf.conv2d(d, w2, 1, 'valid'))) as tf.Scalar;
  }, vars);
  opt.apply(vars, grads, 0.01);
  Object.values(grads).forEach((g) => g.dispose());
  return value;
}

const api = {
  async init(): Promise<{ backend: string; registered: boolean }> {
    await tf.setBackend('webgpu');
    await tf.ready();
    registerWebGpuTrainingKernels();
    return { backend: tf.getBackend(), registered: webgpuTrainingKernelsRegistered() };
  },

  /**
   * Each optimiser config for `steps` steps on webgpu fused, webgpu tensor ops and cpu; worst errors
   * of fused against tensor ops (tight) and against cpu, and how many fused dispatches ran.
   */
  async optimizers(
    cfgs: OptimizerConfig[],
    steps: number,
  ): Promise<
    { kind: string; vsOps: number; vsCpu: number; fused: number; costedElements: number }[]
  > {
    const out = [];
    for (const cfg of cfgs) {
      await tf.setBackend('webgpu');
      const before = fusedUpdateStats.dispatches;
      const seen: ReadWriteDispatch[] = [];
      const listener = (d: ReadWriteDispatch) => seen.push(d);
      readWriteDispatchListeners.add(listener);
      const fused = await optimizerTrace(cfg, steps);
      readWriteDispatchListeners.delete(listener);
      const dispatched = fusedUpdateStats.dispatches - before;
      fusedOptimizerEnabled.value = false;
      const ops = await optimizerTrace(cfg, steps);
      fusedOptimizerEnabled.value = true;
      await tf.setBackend('cpu');
      const cpu = await optimizerTrace(cfg, steps);
      await tf.setBackend('webgpu');
      out.push({
        kind: JSON.stringify(cfg),
        vsOps: worstOf(fused, ops, 1e-7, 1e-6),
        vsCpu: worstOf(fused, cpu, 1e-6, 1e-5),
        fused: dispatched,
        costedElements: seen.reduce((a, d) => a + (d.cost.work ?? 0), 0),
      });
    }
    return out;
  },

  /** Tensor count and GPU bytes after each of `steps` tiny training steps (after `warmup`), first and last loss. */
  async tinyTraining(
    cfg: OptimizerConfig,
    warmup: number,
    steps: number,
  ): Promise<{ tensors: number[]; bytes: number[]; losses: number[] }> {
    await tf.setBackend('webgpu');
    const mk = (s: number[], seed: number) =>
      tf.variable(
        tf.tidy(() =>
          tf.mul(
            tf.tensor(
              seeded(
                s.reduce((a, b) => a * b, 1),
                seed,
              ),
              s,
            ),
            0.5,
          ),
        ),
      );
    const vars = [mk([3, 3, 3, 5], 1), mk([3, 3, 5, 1], 2), mk([1, 1, 5, 3], 3)];
    const x = tf.tensor4d(seeded(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
    const opt = createOptimizer(cfg);
    const tensors: number[] = [];
    const bytes: number[] = [];
    const losses: number[] = [];
    for (let s = 0; s < warmup + steps; s++) {
      const loss = tinyStep(vars, opt, x);
      const value = (await loss.data())[0];
      loss.dispose();
      if (s === 0 || s === warmup + steps - 1) losses.push(value);
      if (s >= warmup) {
        const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
        tensors.push(m.numTensors);
        bytes.push(m.numBytesAllocatedInGPU ?? -1);
      }
    }
    opt.dispose();
    vars.forEach((v) => v.dispose());
    x.dispose();
    return { tensors, bytes, losses };
  },

  /** Each case on webgpu (simlab kernels) and on cpu (tfjs' reference kernels). */
  async compare(cases: KernelCase[]): Promise<CaseResult[]> {
    await tf.setBackend('webgpu');
    const gpu = await runAll(cases, true);
    await tf.setBackend('cpu');
    const cpu = await runAll(cases, false);
    await tf.setBackend('webgpu');
    return cases.map((c, i) => {
      let worst = 0;
      let maxAbs = 0;
      const g = gpu[i];
      const r = cpu[i];
      if (g.length !== r.length)
        return { name: caseName(c), worst: Infinity, maxAbs: Infinity, size: g.length };
      for (let j = 0; j < r.length; j++) {
        const d = Math.abs(g[j] - r[j]);
        maxAbs = Math.max(maxAbs, d);
        worst = Math.max(worst, Number.isNaN(d) ? Infinity : d / (1e-4 + 1e-3 * Math.abs(r[j])));
      }
      return { name: caseName(c), worst, maxAbs, size: r.length };
    });
  },
};

export type KernelHarness = typeof api;
export type { OptimizerConfig };
(globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels = api;
