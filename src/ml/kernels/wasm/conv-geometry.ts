/**
 * Shared geometry for the wasm training kernels: validated convolution info, the phase plan that
 * turns a strided transposed convolution into stride-1 convolutions, one per stride phase
 * (sub-pixel / phase decomposition, Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
 * Efficient Sub-Pixel CNN"), and small tensor helpers (pad-or-crop, phase interleave).
 */
import * as tf from '@tensorflow/tfjs';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;
export type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/** Throws a clear error unless every dilation is 1 (the only case these kernels implement). */
export function assertNoDilation(
  kernelName: string,
  dilations: [number, number] | number | undefined,
): void {
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
    throw new Error(
      `${kernelName} (simlab wasm training kernel): dataFormat '${dataFormat}' is not supported; use NHWC`,
    );
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
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/**
 * One stride phase r of a 1-D transposed convolution (kernel k, stride s, leading pad p): output
 * position s*i + r equals sum_m dyPadded[i + m] * w[index[m]] for m < taps, where dyPadded is dy
 * with `lead` zeros in front (negative: crop). taps 0 means the phase receives no gradient.
 */
export interface Phase {
  taps: number;
  lead: number;
  index: number[];
}

/** The s phases (r = 0..s-1) of a transposed convolution with kernel k, stride s, leading pad p. */
export function phasePlan(k: number, s: number, p: number): Phase[] {
  const phases: Phase[] = [];
  for (let r = 0; r < s; r++) {
    // dx[s*i + r] = sum_m dy[i + q - m] * w[c + s*m]; flipping m gives a forward correlation.
    const c = (r + p) % s;
    const q = Math.floor((r + p) / s);
    const taps = c < k ? Math.ceil((k - c) / s) : 0;
    const index = Array.from({ length: taps }, (_, m) => c + s * (taps - 1 - m));
    phases.push({ taps, lead: taps - 1 - q, index });
  }
  return phases;
}

/** Flat filter-tap indices (kh * kw + kw) of a 2-D phase, row-major over (m_h, m_w). */
export function phaseTapIndices(ph: Phase, pw: Phase, kw: number): Int32Array {
  const out = new Int32Array(ph.taps * pw.taps);
  let o = 0;
  for (const a of ph.index) for (const b of pw.index) out[o++] = a * kw + b;
  return out;
}

/** Crops (negative amounts) then returns the remaining non-negative spatial pads; x: [N,H,W,C]. */
export function cropForPad(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): {
  x: tf.Tensor4D;
  pad: [[number, number], [number, number], [number, number], [number, number]];
} | null {
  const [n, h, w, ch] = x.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  if (h - ct - cb <= 0 || w - cl - cr <= 0) return null;
  const y =
    ct || cb || cl || cr ? tf.slice(x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, ch]) : x;
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
export function padOrCrop(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.Tensor4D | null {
  const c = cropForPad(x, top, bottom, left, right);
  if (c === null) return null;
  const [, [t, b], [l, r]] = c.pad;
  return t || b || l || r ? tf.pad(c.x, c.pad) : c.x;
}

/**
 * Interleaves phase outputs: phases[rh * sw + rw] [N,Hq,Wq,C] (null: all zeros) holds rows
 * sh*i + rh and columns sw*j + rw of the result [N,Hq*sh,Wq*sw,C]. A single non-zero phase is
 * placed with one 6-D pad; otherwise concat + reshape (memcpy in wasm; its depthToSpace and
 * transposes are several times slower).
 */
export function interleavePhases(
  phases: (tf.Tensor4D | null)[],
  sh: number,
  sw: number,
): tf.Tensor4D {
  const present = phases.flatMap((p, i) => (p === null ? [] : [i]));
  if (present.length === 0) throw new Error('interleavePhases needs at least one non-zero phase');
  const [n, hq, wq, c] = (phases[present[0]] as tf.Tensor4D).shape;
  if (present.length === 1) {
    const p = present[0];
    const rh = Math.floor(p / sw);
    const rw = p % sw;
    const y = phases[p] as tf.Tensor4D;
    if (sh === 1 && sw === 1) return y;
    const padded = tf.pad(tf.reshape(y, [n, hq, 1, wq, 1, c]), [
      [0, 0],
      [0, 0],
      [rh, sh - 1 - rh],
      [0, 0],
      [rw, sw - 1 - rw],
      [0, 0],
    ]);
    return tf.reshape(padded, [n, hq * sh, wq * sw, c]);
  }
  const full = phases.map((p) => p ?? (tf.zeros([n, hq, wq, c]) as tf.Tensor4D));
  const rows: tf.Tensor4D[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const row = full.slice(rh * sw, (rh + 1) * sw);
    rows.push(sw === 1 ? row[0] : tf.reshape(tf.stack(row, 3), [n, hq, wq * sw, c]));
  }
  return sh === 1 ? rows[0] : tf.reshape(tf.stack(rows, 2), [n, hq * sh, wq * sw, c]);
}

/** Wraps a kernel input as a Tensor (kernels may receive bare TensorInfos); call inside tf.tidy. */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}
