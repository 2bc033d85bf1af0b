/**
 * Browser-test harness for the WebGPU training kernels (bundled by tests/e2e/webgpu-kernels.test.ts
 * and loaded into a page): runs each case on webgpu with simlab's kernels registered, then the same
 * case on tfjs' cpu backend, and reports the worst error. Exposed as window.simlabKernels.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { createRng } from '../../rng';
import { webgpuKernelOptions } from './options';
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
  const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const dy = tf.tensor(seeded(size(dyShape), seed + 1), dyShape) as tf.Tensor4D;
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

const api = {
  async init(): Promise<{ backend: string; registered: boolean }> {
    await tf.setBackend('webgpu');
    await tf.ready();
    registerWebGpuTrainingKernels();
    return { backend: tf.getBackend(), registered: webgpuTrainingKernelsRegistered() };
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
(globalThis as unknown as { simlabKernels: KernelHarness }).simlabKernels = api;
