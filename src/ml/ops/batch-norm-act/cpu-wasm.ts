/**
 * cpu and wasm kernels of the fused batch norm + ReLU: the loops of loops.ts run directly on each
 * backend's tensor memory (the cpu backend's value arrays; the wasm backend's heap, viewed as
 * Float32Array), so the forward is 2 passes over x and the backward 2 passes over (dy, x, y),
 * instead of the ~25 elementwise/reduce ops of the composed path. On wasm these JS loops beat the
 * composed wasm ops: at [128,32,32,32] (a ConvNet SimCLR activation) forward 110 vs 240 ms and
 * forward + backward 330 vs 540 ms (best of 9, Node, 2-core machine under heavy load from others).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormActBackward, batchNormActForward } from './loops';
import type { BatchNormActAttrs } from './kernel-names';

interface CpuLike {
  data: { get(id: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** How a kernel gets float32 views of inputs and allocates outputs on one backend. */
interface Memory {
  /** Allocates the outputs, then views inputs and outputs (views taken after every allocation: wasm's heap may grow). */
  run(
    inputs: tf.TensorInfo[],
    outShapes: number[][],
    body: (ins: Float32Array[], outs: Float32Array[]) => void,
  ): tf.TensorInfo[];
}

function f32(kernel: string, t: tf.TensorInfo): void {
  if (t.dtype !== 'float32')
    throw new Error(`${kernel}: expected float32 inputs, got ${t.dtype} of shape [${t.shape}]`);
}

const cpuMemory = (backend: CpuLike): Memory => ({
  run(inputs, outShapes, body) {
    const outs = outShapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    body(
      inputs.map((t) => backend.data.get(t.dataId).values as Float32Array),
      outs,
    );
    return outs.map((v, i) => backend.makeTensorInfo(outShapes[i], 'float32', v));
  },
});

const wasmMemory = (backend: WasmLike): Memory => ({
  run(inputs, outShapes, body) {
    const infos = outShapes.map((s) => backend.makeOutput(s, 'float32'));
    body(
      inputs.map((t) => backend.typedArrayFromHeap(t)),
      infos.map((t) => backend.typedArrayFromHeap(t)),
    );
    return infos;
  },
});

function forward(mem: Memory, inputs: tf.NamedTensorInfoMap, attrs: BatchNormActAttrs) {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  for (const t of [x, gamma, beta]) f32('SimlabBatchNormActTrain', t);
  const c = x.shape[x.shape.length - 1];
  return mem.run([x, gamma, beta], [x.shape, [c], [c], [c]], ([xv, g, b], [y, m, v, is]) =>
    batchNormActForward(xv, g, b, c, attrs.epsilon, attrs.relu, {
      y,
      mean: m,
      variance: v,
      invstd: is,
    }),
  );
}

function backward(mem: Memory, inputs: tf.NamedTensorInfoMap, attrs: BatchNormActAttrs) {
  const { dy, x, y, gamma, mean, invstd } = inputs as Record<
    'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invstd',
    tf.TensorInfo
  >;
  for (const t of [dy, x, y, gamma, mean, invstd]) f32('SimlabBatchNormActGrad', t);
  const c = x.shape[x.shape.length - 1];
  return mem.run(
    [dy, x, y, gamma, mean, invstd],
    [x.shape, [c], [c]],
    ([dyv, xv, yv, g, m, is], [dx, dg, db]) =>
      batchNormActBackward(dyv, xv, yv, g, m, is, c, attrs.relu, {
        dx,
        dgamma: dg,
        dbeta: db,
      }),
  );
}

const attrsOf = (a: unknown) => a as unknown as BatchNormActAttrs;

/** Forward kernel for 'cpu': outputs [y, mean, variance, invstd]. */
export const cpuForward: tf.KernelFunc = ({ inputs, backend, attrs }) =>
  forward(cpuMemory(backend as unknown as CpuLike), inputs, attrsOf(attrs));
/** Backward kernel for 'cpu': outputs [dx, dgamma, dbeta]. */
export const cpuBackward: tf.KernelFunc = ({ inputs, backend, attrs }) =>
  backward(cpuMemory(backend as unknown as CpuLike), inputs, attrsOf(attrs));
/** Forward kernel for 'wasm' (JS loops over the wasm heap). */
export const wasmForward: tf.KernelFunc = ({ inputs, backend, attrs }) =>
  forward(wasmMemory(backend as unknown as WasmLike), inputs, attrsOf(attrs));
/** Backward kernel for 'wasm'. */
export const wasmBackward: tf.KernelFunc = ({ inputs, backend, attrs }) =>
  backward(wasmMemory(backend as unknown as WasmLike), inputs, attrsOf(attrs));
