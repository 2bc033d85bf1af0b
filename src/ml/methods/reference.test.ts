/**
 * One training step of every method against PyTorch 1.13 (tests/reference/methods_reference.py):
 * loss, gradients of every parameter, updated weights and BN running stats, target/key networks
 * after the EMA, MoCo queue after the enqueue — all within 1e-4.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from '../optim/optimizers';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { useCpuBackend, useWasmBackend } from '../node-backend.testing';
import { createByol } from './byol';
import { modelAllVariables } from './encoder';
import type { Method, MethodBatch, StepInfo } from './method';
import { createMocoV2, type MocoV2Method } from './mocov2';
import { createSimClr } from './simclr';
import { createSimSiam } from './simsiam';
import { createSupervised } from './supervised';
import { tinyConvBackbone } from './tiny-nets.testing';

interface Entry {
  name: string;
  kind: 'conv_weight' | 'linear_weight' | 'vector' | 'running_mean' | 'running_var';
  shape: number[];
  trainable: boolean;
  init: number[];
  grad?: number[];
  updated: number[];
}
interface MethodFixture {
  method: string;
  config: Record<string, number>;
  lr: number;
  input: {
    x?: number[];
    y?: number[];
    v1?: number[];
    v2?: number[];
    shape: [number, number, number, number];
  };
  loss: number;
  tau?: number;
  queueInit?: number[];
  queueUpdated?: number[];
  queuePtrUpdated?: number;
  parts: Record<string, Entry[]>;
}
interface Fixture {
  script: string;
  scriptSha256: string;
  torch: string;
  methods: Record<string, MethodFixture>;
}

const root = resolve(__dirname, '../../..');
const fixture = JSON.parse(
  readFileSync(resolve(root, 'tests/reference/fixtures/methods_reference.json'), 'utf8'),
) as Fixture;
const TOL = 1e-4;

/** PyTorch layout → tfjs layout: conv OIHW → HWIO, Linear [out,in] → [in,out]. */
function toTfjs(e: Entry, values: number[]): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(values, e.shape, 'float32');
    if (e.kind === 'conv_weight') return tf.transpose(t, [2, 3, 1, 0]);
    if (e.kind === 'linear_weight') return tf.transpose(t, [1, 0]);
    return t;
  });
}

/** tfjs lists a model's trainable weights first, then the rest, each in layer order. */
function tfjsOrder(entries: Entry[]): Entry[] {
  return [...entries.filter((e) => e.trainable), ...entries.filter((e) => !e.trainable)];
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

interface Built {
  method: Method;
  backbone: tf.LayersModel;
  parts: Record<string, tf.Variable[]>;
  batch: MethodBatch;
  info: StepInfo;
}

function build(fx: MethodFixture): Built {
  const c = fx.config;
  const backbone = tinyConvBackbone(fx.input.shape[1], fx.input.shape[3], 4);
  let method: Method;
  const parts: Record<string, tf.Variable[]> = { backbone: modelAllVariables(backbone) };
  const weightsOf = (m: tf.LayersModel) => modelAllVariables(m);
  switch (fx.method) {
    case 'supervised': {
      const m = createSupervised(backbone, {
        numClasses: c.numClasses,
        labelSmoothing: c.labelSmoothing,
      });
      parts.classifier = weightsOf(m.classifier);
      method = m;
      break;
    }
    case 'simclr': {
      const m = createSimClr(backbone, c);
      parts.projector = weightsOf(m.projector);
      method = m;
      break;
    }
    case 'byol': {
      const m = createByol(backbone, c);
      parts.projector = weightsOf(m.projector);
      parts.predictor = weightsOf(m.predictor);
      parts.targetBackbone = m.targetBackbone.allVariables();
      parts.targetProjector = weightsOf(m.targetProjector);
      method = m;
      break;
    }
    case 'simsiam': {
      const m = createSimSiam(backbone, c);
      parts.projector = weightsOf(m.projector);
      parts.predictor = weightsOf(m.predictor);
      method = m;
      break;
    }
    case 'mocov2': {
      const m = createMocoV2(backbone, c);
      parts.head = weightsOf(m.head);
      parts.keyBackbone = m.keyBackbone.allVariables();
      parts.keyHead = weightsOf(m.keyHead);
      method = m;
      break;
    }
    default:
      throw new Error(`fixture has unknown method ${fx.method}`);
  }
  const shape = fx.input.shape;
  const batch: MethodBatch = fx.input.x
    ? { x: tf.tensor4d(fx.input.x, shape), y: tf.tensor1d(fx.input.y!, 'int32') }
    : { v1: tf.tensor4d(fx.input.v1!, shape), v2: tf.tensor4d(fx.input.v2!, shape) };
  const info: StepInfo = { step: c.step ?? 0, totalSteps: c.totalSteps ?? 1 };
  return { method, backbone, parts, batch, info };
}

/** Writes the fixture's initial values into every variable (and the MoCo queue via setState). */
function loadInit(b: Built, fx: MethodFixture): void {
  expect(Object.keys(b.parts).sort()).toEqual(Object.keys(fx.parts).sort());
  for (const [name, vars] of Object.entries(b.parts)) {
    const entries = tfjsOrder(fx.parts[name]);
    expect(vars.length, `${name}: variable count`).toBe(entries.length);
    vars.forEach((v, i) => {
      const t = toTfjs(entries[i], entries[i].init);
      expect(v.shape, `${name}[${i}] ${entries[i].name}`).toEqual(t.shape);
      v.assign(t);
      t.dispose();
    });
  }
  if (fx.queueInit) {
    const st = b.method.getState();
    tf.dispose(st.tensors.queue);
    st.tensors.queue = tf.tensor2d(fx.queueInit, [fx.config.queueSize, fx.config.projectionDim]);
    st.scalars.queuePtr = fx.config.queuePtr;
    b.method.setState(st);
    tf.dispose(st.tensors);
  }
}

function dispose(b: Built): void {
  b.method.dispose();
  b.backbone.dispose();
  tf.dispose(b.batch as unknown as tf.TensorContainer);
}

describe('methods_reference fixture', () => {
  it('was written by the current script', () => {
    const script = readFileSync(resolve(root, fixture.script));
    expect(
      createHash('sha256').update(script).digest('hex'),
      're-run /usr/bin/python3 ' + fixture.script,
    ).toBe(fixture.scriptSha256);
    expect(fixture.torch).toMatch(/^1\.13/);
    expect(Object.keys(fixture.methods).sort()).toEqual([
      'byol',
      'mocov2',
      'simclr',
      'simsiam',
      'supervised',
    ]);
  });
});

/** cpu: the plain reference backend; wasm: the app's CPU training backend, with simlab's conv backprop kernels. */
const BACKENDS: Record<string, () => Promise<void>> = {
  cpu: useCpuBackend,
  wasm: async () => {
    await useWasmBackend();
    registerWasmTrainingKernels();
  },
};

const cases = Object.entries(BACKENDS).flatMap(([backend, start]) =>
  Object.entries(fixture.methods).map(([name, fx]) => ({ backend, start, name, fx })),
);

for (const { backend, start, name, fx } of cases) {
  describe(`${name} matches PyTorch for one SGD step (${backend})`, () => {
    beforeAll(start);

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });

    it('loss and the gradient of every parameter', () => {
      const b = build(fx);
      loadInit(b, fx);
      const { loss, grads, extra } = b.method.lossAndGrads(b.batch, b.info);
      expect(Math.abs(loss.dataSync()[0] - fx.loss)).toBeLessThan(TOL);
      let checked = 0;
      for (const [part, vars] of Object.entries(b.parts)) {
        const entries = tfjsOrder(fx.parts[part]);
        vars.forEach((v, i) => {
          const e = entries[i];
          if (!e.trainable || !e.grad) return;
          const g = grads[v.name];
          if (part.startsWith('target') || part.startsWith('key')) {
            expect(g, `${part} ${e.name} must get no gradient`).toBeUndefined();
            return;
          }
          expect(g, `${part} ${e.name} has a gradient`).toBeDefined();
          const want = toTfjs(e, e.grad);
          expect(maxAbsDiff(g, want), `grad ${part} ${e.name}`).toBeLessThan(TOL);
          want.dispose();
          checked++;
        });
      }
      expect(checked).toBeGreaterThanOrEqual(5);
      tf.dispose([loss, grads, extra]);
      dispose(b);
    });

    it('updated weights, BN running stats, target/key networks and queue', () => {
      const b = build(fx);
      loadInit(b, fx);
      const opt = createOptimizer({ kind: 'sgd' });
      const r = b.method.step(b.batch, opt, fx.lr, b.info);
      expect(Math.abs(r.loss.dataSync()[0] - fx.loss)).toBeLessThan(TOL);
      if (fx.tau !== undefined)
        expect(Math.abs(r.extra.tau.dataSync()[0] - fx.tau)).toBeLessThan(1e-7);
      b.method.afterStep(b.info);
      tf.dispose([r.loss, r.extra]);
      for (const [part, vars] of Object.entries(b.parts)) {
        const entries = tfjsOrder(fx.parts[part]);
        vars.forEach((v, i) => {
          const e = entries[i];
          const want = toTfjs(e, e.updated);
          expect(maxAbsDiff(v, want), `updated ${part} ${e.name}`).toBeLessThan(TOL);
          want.dispose();
        });
      }
      if (fx.queueUpdated) {
        const m = b.method as MocoV2Method;
        const want = tf.tensor2d(fx.queueUpdated, [fx.config.queueSize, fx.config.projectionDim]);
        expect(maxAbsDiff(m.queue, want)).toBeLessThan(TOL);
        expect(m.queuePtr).toBe(fx.queuePtrUpdated);
        want.dispose();
      }
      opt.dispose();
      dispose(b);
    });
  });
}
