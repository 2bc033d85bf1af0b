/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (tfjs-backend-wasm 4.22 has none): per
 * stride phase, one stride-1 depthwise convolution (XNNPACK) of dy with the flipped phase filter,
 * summed over the channel multiplier, phases interleaved afterwards (sub-pixel decomposition,
 * Shi et al. 2016).
 */
import * as tf from '@tensorflow/tfjs';
import {
  asTensor,
  assertNoDilation,
  convInfo,
  cropForPad,
  interleavePhases,
  phasePlan,
  phaseTapIndices,
  type Conv2DInfo,
} from './conv-geometry';

/**
 * dx of y = depthwiseConv2d(x, filter): dy [N,OH,OW,C*M], filter [KH,KW,C,M], info from
 * convInfo(x.shape, filter.shape, ..., depthwise=true) → dx [N,H,W,C]. Caller owns the result.
 */
export function depthwiseBackpropInputByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: Conv2DInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const mult = filter.shape[3];
    const cm = ch * mult;
    const hq = Math.ceil(h / sh);
    const wq = Math.ceil(w / sw);
    // dy channel c*M + m meets filter[.., c, m]: a depthwise conv with multiplier 1 over C*M channels.
    const taps = tf.reshape(filter, [kh * kw, cm]);
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
        const f = tf.reshape(tf.gather(taps, idx, 0), [ph.taps, pw.taps, cm, 1]) as tf.Tensor4D;
        const y = tf.depthwiseConv2d(c.x, f, 1, c.pad);
        phases.push(
          mult === 1 ? y : (tf.sum(tf.reshape(y, [n, hq, wq, ch, mult]), 4) as tf.Tensor4D),
        );
      }
    }
    if (phases.every((p) => p === null)) return tf.zeros([n, h, w, ch]) as tf.Tensor4D;
    const dx = interleavePhases(phases, sh, sw);
    return hq * sh === h && wq * sw === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, ch]);
  });
}

/** KernelConfig body for DepthwiseConv2dNativeBackpropInput on 'wasm' (inputs dy, filter). */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropInput', a.dilations);
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const info = convInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  return tf.tidy(() =>
    depthwiseBackpropInputByPhases(asTensor<tf.Rank.R4>(dy), asTensor<tf.Rank.R4>(filter), info),
  );
};
