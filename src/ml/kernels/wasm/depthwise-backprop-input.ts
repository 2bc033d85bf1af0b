/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (tfjs-backend-wasm 4.22 has none): per
 * stride phase, one stride-1 depthwise convolution (XNNPACK) of dy with the flipped phase filter,
 * summed over the channel multiplier, then depth-to-space (sub-pixel decomposition, Shi et al. 2016).
 */
import * as tf from '@tensorflow/tfjs';
import {
  asTensor,
  assertNoDilation,
  convInfo,
  cropForPad,
  interleavePhases,
  phaseGatherIndices,
  phasePlan,
  type Conv2DInfo,
} from './conv-geometry';

/**
 * dx of y = depthwiseConv2d(x, filter): dy [N,OH,OW,C*M], filter [KH,KW,C,M], info from
 * convInfo(x.shape, filter.shape, ..., depthwise=true) → dx [N,H,W,C]. Caller owns the result.
 */
export function depthwiseBackpropInputByPhases(dy: tf.Tensor4D, filter: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const mult = filter.shape[3];
    const cm = ch * mult;
    const ph = phasePlan(kh, sh, info.padInfo.top);
    const pw = phasePlan(kw, sw, info.padInfo.left);
    const hq = Math.ceil(h / sh);
    const wq = Math.ceil(w / sw);

    const flat = tf.reshape(filter, [kh * kw, cm]);
    const withZero = tf.concat([flat, tf.zeros([1, cm])], 0);
    const idx = tf.tensor1d(phaseGatherIndices(ph, pw, sh, sw, kw, kh * kw), 'int32');
    // [Jh, Jw, sh*sw, C*M] → phase-major [sh*sw, Jh, Jw, C*M]
    const g = tf.reshape(tf.gather(withZero, idx, 0), [ph.taps, pw.taps, sh * sw, cm]);
    const perPhase = tf.transpose(g, [2, 0, 1, 3]);

    const c = cropForPad(
      dy,
      ph.lead,
      hq + ph.taps - 1 - ph.lead - oh,
      pw.lead,
      wq + pw.taps - 1 - pw.lead - ow,
    );
    if (c === null) return tf.zeros([n, h, w, ch]) as tf.Tensor4D;
    const phases: tf.Tensor4D[] = [];
    for (let p = 0; p < sh * sw; p++) {
      const f = tf.reshape(tf.slice(perPhase, [p, 0, 0, 0], [1, ph.taps, pw.taps, cm]), [ph.taps, pw.taps, cm, 1]) as tf.Tensor4D;
      let y = tf.depthwiseConv2d(c.x, f, 1, c.pad);
      if (mult > 1) y = tf.sum(tf.reshape(y, [n, hq, wq, ch, mult]), 4) as tf.Tensor4D;
      phases.push(y);
    }
    const stacked = phases.length === 1 ? phases[0] : (tf.reshape(tf.stack(phases, 3), [n, hq, wq, sh * sw * ch]) as tf.Tensor4D);
    const dx = interleavePhases(stacked, sh, sw);
    return hq * sh === h && wq * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ch]);
  });
}

/** KernelConfig body for DepthwiseConv2dNativeBackpropInput on 'wasm' (inputs dy, filter). */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropInput', a.dilations);
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const info = convInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.pad, a.dimRoundingMode, true);
  return tf.tidy(() => depthwiseBackpropInputByPhases(asTensor<tf.Rank.R4>(dy), asTensor<tf.Rank.R4>(filter), info));
};
