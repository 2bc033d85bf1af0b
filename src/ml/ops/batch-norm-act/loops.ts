/**
 * The fused batch-norm (training) + optional ReLU arithmetic as plain loops over flat channels-last
 * arrays (Ioffe & Szegedy 2015, eqs. for the forward pass and its gradient). The cpu and wasm
 * kernels run these on their backends' memory; accumulation is in float64 (JS numbers), so the
 * one-pass sums of x and x² lose nothing a float32 two-pass would keep.
 *
 * Layout: x is [rows, C] row-major (any [..., C] tensor flattened), rows = product of leading dims.
 */

/** Everything the forward writes: y [rows·C]; mean, variance (biased), invstd [C]. */
export interface ForwardOut {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  invstd: Float32Array;
}

/**
 * Pass 1: per-channel mean and biased variance (sums shifted by row 0 against cancellation).
 * Pass 2: y = (x − mean)·invstd·gamma + beta, then max(0, ·) when `relu`. invstd = 1/√(var + eps).
 */
export function batchNormActForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  channels: number,
  epsilon: number,
  relu: boolean,
  out: ForwardOut,
): void {
  const c = channels;
  const rows = x.length / c;
  const s = new Float64Array(c);
  const q = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let k = 0; k < c; k++) shift[k] = x[k];
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k] - shift[k];
      s[k] += v;
      q[k] += v * v;
    }
  }
  const scale = new Float64Array(c);
  const offset = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const ms = s[k] / rows;
    const variance = Math.max(0, q[k] / rows - ms * ms);
    const mean = ms + shift[k];
    const invstd = 1 / Math.sqrt(variance + epsilon);
    out.mean[k] = mean;
    out.variance[k] = variance;
    out.invstd[k] = invstd;
    scale[k] = gamma[k] * invstd;
    offset[k] = beta[k] - mean * scale[k];
  }
  const y = out.y;
  if (relu) {
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      for (let k = 0; k < c; k++) {
        const v = x[o + k] * scale[k] + offset[k];
        y[o + k] = v > 0 ? v : 0;
      }
    }
  } else {
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      for (let k = 0; k < c; k++) y[o + k] = x[o + k] * scale[k] + offset[k];
    }
  }
}

/** Everything the backward writes: dx [rows·C]; dgamma, dbeta [C]. */
export interface BackwardOut {
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/**
 * Gradient of batchNormActForward w.r.t. x, gamma, beta given dy (w.r.t. y). With `relu` the mask
 * y > 0 is applied to dy first (g = dy·[y > 0]; the ReLU gradient at 0 is 0, as tfjs' and PyTorch's).
 * Pass 1: Σg and Σg·(x − mean) per channel → dbeta = Σg, dgamma = invstd·Σg·(x − mean).
 * Pass 2: dx = gamma·invstd·(g − dbeta/n − x̂·dgamma/n), x̂ = (x − mean)·invstd, n = rows.
 * `y` is only read when `relu`.
 */
export function batchNormActBackward(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  gamma: Float32Array,
  mean: Float32Array,
  invstd: Float32Array,
  channels: number,
  relu: boolean,
  out: BackwardOut,
): void {
  const c = channels;
  const rows = x.length / c;
  const sg = new Float64Array(c);
  const sgx = new Float64Array(c);
  const m = new Float64Array(c);
  for (let k = 0; k < c; k++) m[k] = mean[k];
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    if (relu) {
      for (let k = 0; k < c; k++) {
        if (y[o + k] > 0) {
          const g = dy[o + k];
          sg[k] += g;
          sgx[k] += g * (x[o + k] - m[k]);
        }
      }
    } else {
      for (let k = 0; k < c; k++) {
        const g = dy[o + k];
        sg[k] += g;
        sgx[k] += g * (x[o + k] - m[k]);
      }
    }
  }
  // dx = a·g − b·x + d with a = gamma·invstd, b = a·invstd·dgamma/n, d = b·mean − a·dbeta/n.
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  const d = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const is = invstd[k];
    const dgamma = sgx[k] * is;
    out.dgamma[k] = dgamma;
    out.dbeta[k] = sg[k];
    a[k] = gamma[k] * is;
    b[k] = (a[k] * is * dgamma) / rows;
    d[k] = b[k] * m[k] - (a[k] * sg[k]) / rows;
  }
  const dx = out.dx;
  if (relu) {
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      for (let k = 0; k < c; k++) {
        const g = y[o + k] > 0 ? dy[o + k] : 0;
        dx[o + k] = a[k] * g - b[k] * x[o + k] + d[k];
      }
    }
  } else {
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      for (let k = 0; k < c; k++) dx[o + k] = a[k] * dy[o + k] - b[k] * x[o + k] + d[k];
    }
  }
}
