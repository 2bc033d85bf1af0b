/**
 * Shared geometry for the wasm training kernels: validated convolution info, the phase plan that
 * turns a strided transposed convolution into one stride-1 convolution (sub-pixel / phase
 * decomposition, Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
 * Efficient Sub-Pixel CNN"), and small tensor helpers (pad-or-crop, depth-to-space interleave).
 */
import * as tf from '@tensorflow/tfjs';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;
export type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/** Throws a clear error unless every dilation is 1 (the only case these kernels implement). */
export function assertNoDilation(kernelName: string, dilations: [number, number] | number | undefined): void {
  if (dilations == null) return;
  const d = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d.some((v) => v !== 1)) {
    throw new Error(
      `${kernelName} (simlab wasm training kernel): dilations ${JSON.stringify(dilations)} are not supported; only dilation 1`,
    );
  }
}

/** Throws a clear error unless the data format is NHWC (channels last). */
export function assertNhwc(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} (simlab wasm training kernel): dataFormat '${dataFormat}' is not supported; use NHWC`);
  }
}

/** Conv geometry for an NHWC conv (dilation 1): tfjs' own computeConv2DInfo, so 'same' pads match the forward op. */
export function convInfo(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: PadAttr,
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, 1, pad, dimRoundingMode, depthwise, 'channelsLast');
}

/**
 * 1-D phase plan of a transposed convolution with kernel size k, stride s, leading pad p.
 * Output position s*i + r (phase r) equals sum_j dyPadded[i + j] * w[tap[r * taps + j]] where
 * dyPadded is dy with `lead` zeros in front (negative: crop); tap -1 means a zero weight.
 */
export interface PhasePlan {
  lead: number;
  taps: number;
  tap: Int32Array;
}

/** Builds the PhasePlan for kernel size k, stride s, leading pad p (see PhasePlan). */
export function phasePlan(k: number, s: number, p: number): PhasePlan {
  // Phase r uses kernel indices c + s*m (m < count) with c = (r+p) mod s, reading dy[i + q - m].
  const c: number[] = [];
  const q: number[] = [];
  const count: number[] = [];
  for (let r = 0; r < s; r++) {
    c.push((r + p) % s);
    q.push(Math.floor((r + p) / s));
    count.push(c[r] < k ? Math.ceil((k - c[r]) / s) : 0);
  }
  let lead = -Infinity;
  let last = -Infinity;
  for (let r = 0; r < s; r++) {
    if (count[r] === 0) continue;
    lead = Math.max(lead, count[r] - 1 - q[r]);
  }
  for (let r = 0; r < s; r++) {
    if (count[r] === 0) continue;
    last = Math.max(last, q[r] + lead);
  }
  const taps = last + 1;
  const tap = new Int32Array(s * taps).fill(-1);
  for (let r = 0; r < s; r++) {
    for (let j = 0; j < taps; j++) {
      const m = q[r] + lead - j;
      if (m >= 0 && m < count[r]) tap[r * taps + j] = c[r] + s * m;
    }
  }
  return { lead, taps, tap };
}

/** Crops (negative amounts) then returns the remaining non-negative spatial pads; x: [N,H,W,C]. */
export function cropForPad(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: tf.Tensor4D; pad: [[number, number], [number, number], [number, number], [number, number]] } | null {
  const [n, h, w, ch] = x.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  if (h - ct - cb <= 0 || w - cl - cr <= 0) return null;
  const y = ct || cb || cl || cr ? tf.slice(x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, ch]) : x;
  return {
    x: y,
    pad: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

/** Pads (or crops, for negative amounts) the two spatial axes of x: [N,H,W,C]; null when nothing remains. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D | null {
  const c = cropForPad(x, top, bottom, left, right);
  if (c === null) return null;
  const [, [t, b], [l, r]] = c.pad;
  return t || b || l || r ? tf.pad(c.x, c.pad) : c.x;
}

/**
 * Interleaves phases: y [N,Hq,Wq,sh*sw*C] with channel (rh*sw + rw)*C + c → [N,Hq*sh,Wq*sw,C]
 * holding y at row Hq index i, phase rh, i.e. row sh*i + rh (depth-to-space).
 */
export function interleavePhases(y: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return y;
  const [n, hq, wq, depth] = y.shape;
  const c = depth / (sh * sw);
  if (sh === sw) return tf.depthToSpace(y, sh, 'NHWC');
  const t = tf.transpose(tf.reshape(y, [n, hq, wq, sh, sw, c]), [0, 1, 3, 2, 4, 5]);
  return tf.reshape(t, [n, hq * sh, wq * sw, c]);
}

/** Gather indices [Jh*Jw*sh*sw] (order jh, jw, rh, rw) into a flattened [KH*KW (+1 zero row)] filter. */
export function phaseGatherIndices(ph: PhasePlan, pw: PhasePlan, sh: number, sw: number, kw: number, zeroRow: number): Int32Array {
  const idx = new Int32Array(ph.taps * pw.taps * sh * sw);
  let o = 0;
  for (let jh = 0; jh < ph.taps; jh++) {
    for (let jw = 0; jw < pw.taps; jw++) {
      for (let rh = 0; rh < sh; rh++) {
        for (let rw = 0; rw < sw; rw++) {
          const a = ph.tap[rh * ph.taps + jh];
          const b = pw.tap[rw * pw.taps + jw];
          idx[o++] = a < 0 || b < 0 ? zeroRow : a * kw + b;
        }
      }
    }
  }
  return idx;
}

/** Wraps a kernel input as a Tensor (kernels may receive bare TensorInfos); call inside tf.tidy. */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}
