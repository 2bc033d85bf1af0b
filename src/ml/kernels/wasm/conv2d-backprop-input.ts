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
    // [KH*KW, Co, Ci]: each tap is the transposed weight matrix the phase convs gather from.
    const taps = tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [kh * kw, co, ci]);
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
        const idx = tf.tensor1d(phaseTapIndices(ph, pw, kw), 'int32');
        const f = tf.reshape(tf.gather(taps, idx, 0), [ph.taps, pw.taps, co, ci]) as tf.Tensor4D;
        phases.push(tf.conv2d(c.x, f, 1, c.pad));
      }
    }
    if (phases.every((p) => p === null)) return tf.zeros([n, h, w, ci]) as tf.Tensor4D;
    const dx = interleavePhases(phases, sh, sw);
    return hq * sh === h && wq * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ci]);
  });
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
