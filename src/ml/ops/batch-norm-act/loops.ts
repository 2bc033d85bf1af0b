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
  shiftedSums(x, c, shift, s, q);
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
  if (relu) affineRelu(x, c, scale, offset, out.y);
  else affine(x, c, scale, offset, out.y);
}

// Each pass is its own small function (V8 optimises each hot loop separately), and the ReLU and its
// mask are branch-free: with ~half the values negative a branch mispredicts so often that the
// ternary form ran 4–5× slower than (v + |v|)/2 and +(y > 0)·dy here (measured).

/** s[k] += x − shift[k], q[k] += (x − shift[k])² over the rows of x [rows, c]. */
function shiftedSums(
  x: Float32Array,
  c: number,
  shift: Float64Array,
  s: Float64Array,
  q: Float64Array,
): void {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k] - shift[k];
      s[k] += v;
      q[k] += v * v;
    }
  }
}

function affine(x: Float32Array, c: number, a: Float64Array, b: Float64Array, y: Float32Array) {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) y[o + k] = x[o + k] * a[k] + b[k];
  }
}

function affineRelu(x: Float32Array, c: number, a: Float64Array, b: Float64Array, y: Float32Array) {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k] * a[k] + b[k];
      y[o + k] = (v + Math.abs(v)) * 0.5; // max(v, 0) exactly, without a branch
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
  if (relu) gradSumsMasked(dy, x, y, c, m, sg, sgx);
  else gradSums(dy, x, c, m, sg, sgx);
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
  if (relu) inputGradMasked(dy, x, y, c, a, b, d, out.dx);
  else inputGrad(dy, x, c, a, b, d, out.dx);
}

/** sg[k] += g, sgx[k] += g·(x − m[k]) with g = dy. */
function gradSums(
  dy: Float32Array,
  x: Float32Array,
  c: number,
  m: Float64Array,
  sg: Float64Array,
  sgx: Float64Array,
): void {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const g = dy[o + k];
      sg[k] += g;
      sgx[k] += g * (x[o + k] - m[k]);
    }
  }
}

/** As gradSums with g = dy·[y > 0]. */
function gradSumsMasked(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  c: number,
  m: Float64Array,
  sg: Float64Array,
  sgx: Float64Array,
): void {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const g = +(y[o + k] > 0) * dy[o + k];
      sg[k] += g;
      sgx[k] += g * (x[o + k] - m[k]);
    }
  }
}

/** dx = a·g − b·x + d with g = dy. */
function inputGrad(
  dy: Float32Array,
  x: Float32Array,
  c: number,
  a: Float64Array,
  b: Float64Array,
  d: Float64Array,
  dx: Float32Array,
): void {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) dx[o + k] = a[k] * dy[o + k] - b[k] * x[o + k] + d[k];
  }
}

/** As inputGrad with g = dy·[y > 0]. */
function inputGradMasked(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  c: number,
  a: Float64Array,
  b: Float64Array,
  d: Float64Array,
  dx: Float32Array,
): void {
  const n = x.length;
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const g = +(y[o + k] > 0) * dy[o + k];
      dx[o + k] = a[k] * g - b[k] * x[o + k] + d[k];
    }
  }
}
