/**
 * Conv2DBackpropInput for the wasm backend: the input gradient of an NHWC conv as ONE stride-1
 * forward convolution (XNNPACK) of dy with a combined, flipped filter that computes every stride
 * phase at once, followed by depth-to-space (sub-pixel decomposition of the transposed conv,
 * Shi et al. 2016). Replaces tfjs-backend-wasm's naive loop (~1–2.5 GFLOP/s).
 */
import * as tf from '@tensorflow/tfjs';
import {
  asTensor,
  assertNhwc,
  convInfo,
  cropForPad,
  interleavePhases,
  phaseGatherIndices,
  phasePlan,
  type Conv2DInfo,
} from './conv-geometry';

/**
 * dx of y = conv2d(x, filter) given dy: dy [N,OH,OW,Co], filter [KH,KW,Ci,Co], info from
 * convInfo(x.shape, ...) → dx [N,H,W,Ci]. Caller owns the result; intermediates are tidied.
 */
export function conv2dBackpropInputByPhases(dy: tf.Tensor4D, filter: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const ph = phasePlan(kh, sh, info.padInfo.top);
    const pw = phasePlan(kw, sw, info.padInfo.left);
    const hq = Math.ceil(h / sh);
    const wq = Math.ceil(w / sw);

    // Combined filter [Jh, Jw, Co, sh*sw*Ci]: channel (rh*sw + rw)*Ci + ci is phase (rh, rw).
    const flat = tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [kh * kw, co, ci]);
    const withZero = tf.concat([flat, tf.zeros([1, co, ci])], 0);
    const idx = tf.tensor1d(phaseGatherIndices(ph, pw, sh, sw, kw, kh * kw), 'int32');
    const g = tf.reshape(tf.gather(withZero, idx, 0), [ph.taps, pw.taps, sh, sw, co, ci]);
    const wComb = tf.reshape(tf.transpose(g, [0, 1, 4, 2, 3, 5]), [ph.taps, pw.taps, co, sh * sw * ci]) as tf.Tensor4D;

    const c = cropForPad(
      dy,
      ph.lead,
      hq + ph.taps - 1 - ph.lead - oh,
      pw.lead,
      wq + pw.taps - 1 - pw.lead - ow,
    );
    if (c === null) return tf.zeros([n, h, w, ci]) as tf.Tensor4D;
    const y = tf.conv2d(c.x, wComb, 1, c.pad);
    const dx = interleavePhases(y, sh, sw);
    return hq * sh === h && wq * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ci]);
  });
}

/** KernelConfig body for Conv2DBackpropInput on 'wasm' (inputs dy, filter; attrs as in tfjs-core). */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertNhwc('Conv2DBackpropInput', a.dataFormat);
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const info = convInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.pad, a.dimRoundingMode, false);
  return tf.tidy(() => conv2dBackpropInputByPhases(asTensor<tf.Rank.R4>(dy), asTensor<tf.Rank.R4>(filter), info));
};
