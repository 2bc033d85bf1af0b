/**
 * Conv2DBackpropInput for the wasm backend: the input gradient of an NHWC conv as one stride-1
 * forward convolution (XNNPACK) of dy with the flipped, transposed filter per stride phase, the
 * phases interleaved afterwards (sub-pixel decomposition of the transposed conv, Shi et al. 2016):
 * no multiplications by inserted zeros. Replaces tfjs-backend-wasm's naive loop (~1–2.5 GFLOP/s).
 */
import * as tf from '@tensorflow/tfjs';
import {
  asTensor,
  assertNhwc,
  convInfo,
  cropForPad,
  interleavePhases,
  phasePlan,
  phaseTapIndices,
  type Conv2DInfo,
} from './conv-geometry';

/**
 * dx of y = conv2d(x, filter) given dy: dy [N,OH,OW,Co], filter [KH,KW,Ci,Co], info from
 * convInfo(x.shape, ...) → dx [N,H,W,Ci]. Caller owns the result; intermediates are tidied.
 */
export function conv2dBackpropInputByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: Conv2DInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const hq = Math.ceil(h / sh);
    const wq = Math.ceil(w / sw);
    // On wasm each phase filter is gathered + transposed by one JS pass over the heap (wasm's
    // GatherV2 and Transpose took 6% and 3.5% of a ResNet-18 w64 step); elsewhere by tf ops.
    const onWasm = tf.getBackend() === 'wasm';
    // [KH*KW, Co, Ci]: each tap is the transposed weight matrix the phase convs gather from.
    const taps = onWasm ? null : tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [kh * kw, co, ci]);
    const phases: (tf.Tensor4D | null)[] = [];
    for (const ph of phasePlan(kh, sh, info.padInfo.top)) {
      for (const pw of phasePlan(kw, sw, info.padInfo.left)) {
        const c =
          ph.taps && pw.taps
            ? cropForPad(
                dy,
                ph.lead,
                hq + ph.taps - 1 - ph.lead - oh,
                pw.lead,
                wq + pw.taps - 1 - pw.lead - ow,
              )
            : null;
        if (c === null) {
          phases.push(null);
          continue;
        }
        const tapIdx = phaseTapIndices(ph, pw, kw);
        const f = taps
          ? (tf.reshape(tf.gather(taps, tf.tensor1d(tapIdx, 'int32'), 0), [
              ph.taps,
              pw.taps,
              co,
              ci,
            ]) as tf.Tensor4D)
          : phaseFilterWasm(filter, tapIdx, [ph.taps, pw.taps, co, ci]);
        phases.push(tf.conv2d(c.x, f, 1, c.pad));
      }
    }
    if (phases.every((p) => p === null)) return tf.zeros([n, h, w, ci]) as tf.Tensor4D;
    const dx = interleavePhases(phases, sh, sw);
    return hq * sh === h && wq * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ci]);
  });
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * Phase filter on the wasm heap: out[t, o, i] = filter[tapIdx[t], i, o] for filter [KH,KW,Ci,Co]
 * (taps flattened) → a new tensor of `shape` = [tapsH, tapsW, Co, Ci]; the caller's tidy owns it.
 */
export function phaseFilterWasm(
  filter: tf.Tensor4D,
  tapIdx: Int32Array,
  shape: [number, number, number, number],
): tf.Tensor4D {
  const [, , ci, co] = filter.shape;
  const backend = tf.backend() as unknown as WasmLike;
  const out = backend.makeOutput(shape, 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  const m = ci * co;
  for (let t = 0; t < tapIdx.length; t++) {
    const s0 = tapIdx[t] * m;
    const d0 = t * m;
    for (let i = 0; i < ci; i++) {
      const si = s0 + i * co;
      for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[si + o];
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

/** KernelConfig body for Conv2DBackpropInput on 'wasm' (inputs dy, filter; attrs as in tfjs-core). */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertNhwc('Conv2DBackpropInput', a.dataFormat);
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const info = convInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  return tf.tidy(() =>
    conv2dBackpropInputByPhases(asTensor<tf.Rank.R4>(dy), asTensor<tf.Rank.R4>(filter), info),
  );
};
