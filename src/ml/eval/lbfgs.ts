/**
 * L-BFGS (Nocedal & Wright 2006, Numerical Optimization, Alg. 7.4 two-loop recursion, Alg. 3.5/3.6
 * strong-Wolfe line search with cubic interpolation) for smooth unconstrained minimisation — what
 * scipy's L-BFGS-B does for sklearn's LogisticRegression(solver='lbfgs') when nothing is bounded.
 * Plain Float64Array maths; the objective may be async (e.g. reads tensors back). tfjs-free.
 */

/** f(x), writing ∇f(x) into `grad` (same length as x). Must not keep or modify `x`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number | Promise<number>;

export interface LbfgsIteration {
  /** Iterations done (1 after the first accepted step). */
  iteration: number;
  /** Objective at the accepted point. */
  f: number;
  /** max |∇f| at the accepted point. */
  gradMax: number;
  /** Objective evaluations so far (all line-search trials). */
  evaluations: number;
  /** 0-based index of the evaluation that produced the accepted point. */
  evaluation: number;
}

export interface LbfgsOptions {
  /** Most iterations (accepted steps; default 100). */
  maxIterations?: number;
  /** Correction pairs kept (default 10, as sklearn / scipy). */
  memory?: number;
  /** Stop when max |∇f| ≤ gradTol (default 1e-5). */
  gradTol?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ fTol (default 1e-10). */
  fTol?: number;
  /**
   * Most objective evaluations per line search (default 10). A line search that ends without a
   * strong-Wolfe point takes its best decrease and stops the run ('line-search'): with float32
   * objectives that is the round-off floor, where more trials only burn evaluations.
   */
  maxLineSearch?: number;
  /** Called after each accepted step. */
  onIteration?: (it: LbfgsIteration) => void | Promise<void>;
}

export type LbfgsStop = 'gradient' | 'function' | 'max-iterations' | 'line-search';

export interface LbfgsResult {
  /** The minimiser found (a new array). */
  x: Float64Array;
  f: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  /**
   * Why it stopped: 'gradient' / 'function' converged; 'line-search' reached the objective's
   * round-off floor (no step meets the Wolfe conditions any more); 'max-iterations' ran out.
   */
  stop: LbfgsStop;
}

const C1 = 1e-4,
  C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN when it has none. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/** Minimises `fg` from x0 (not modified). */
export async function minimizeLbfgs(
  fg: Objective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): Promise<LbfgsResult> {
  const maxIter = options.maxIterations ?? 100;
  const mem = options.memory ?? 10;
  const gradTol = options.gradTol ?? 1e-5;
  const fTol = options.fTol ?? 1e-10;
  const maxLs = options.maxLineSearch ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let evaluations = 0;
  let f = await fg(x, g);
  evaluations++;
  const S: Float64Array[] = [],
    Y: Float64Array[] = [],
    rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(mem);
  let iteration = 0;
  let stop: LbfgsStop = 'max-iterations';
  if (!Number.isFinite(f)) throw new Error(`objective is ${f} at the starting point`);
  if (maxAbs(g) <= gradTol) stop = 'gradient';

  while (stop === 'max-iterations' && iteration < maxIter) {
    // Two-loop recursion: d = −H·g.
    d.set(g);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      const y = Y[k];
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * y[i];
    }
    const gamma =
      S.length > 0 ? 1 / (rho[S.length - 1] * dot(Y[S.length - 1], Y[S.length - 1])) : 1;
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      const s = S[k];
      for (let i = 0; i < n; i++) d[i] += s[i] * (alpha[k] - beta);
    }
    for (let i = 0; i < n; i++) d[i] = -d[i];
    let dg0 = dot(d, g);
    if (!(dg0 < 0)) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg0 = -dot(g, g);
    }
    // First step of the run: length 1/‖g‖ (as scipy); later steps try the quasi-Newton step 1.
    const a0 = S.length === 0 && iteration === 0 ? Math.min(1, 1 / Math.sqrt(-dg0)) : 1;

    const ls = await lineSearch(fg, x, f, dg0, d, a0, maxLs, () => evaluations++);
    if (!ls) {
      stop = 'line-search';
      break;
    }
    const s = new Float64Array(n),
      y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = ls.x[i] - x[i];
      y[i] = ls.g[i] - g[i];
    }
    const fPrev = f;
    x = ls.x;
    g = ls.g;
    f = ls.f;
    iteration++;
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const gradMax = maxAbs(g);
    if (!ls.wolfe) stop = 'line-search';
    await options.onIteration?.({
      iteration,
      f,
      gradMax,
      evaluations,
      evaluation: ls.evaluation,
    });
    if (stop !== 'max-iterations') break;
    if (gradMax <= gradTol) stop = 'gradient';
    else if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= fTol) stop = 'function';
  }
  return { x, f, grad: g, iterations: iteration, evaluations, stop };
}

interface Trial {
  a: number;
  f: number;
  /** Directional derivative ∇f(x + a·d)·d. */
  dg: number;
  x: Float64Array;
  g: Float64Array;
  evaluation: number;
}

interface Step {
  x: Float64Array;
  g: Float64Array;
  f: number;
  evaluation: number;
  /** Whether the step met the strong Wolfe conditions (else: only sufficient decrease). */
  wolfe: boolean;
}

/**
 * Strong-Wolfe line search along d from x (f0, slope dg0 < 0): N&W Alg. 3.5 (bracketing, step
 * doubled) and 3.6 (zoom by safeguarded cubic interpolation). Null when no acceptable step is found
 * in maxLs evaluations; a step with only sufficient decrease comes back with wolfe false.
 */
async function lineSearch(
  fg: Objective,
  x: Float64Array,
  f0: number,
  dg0: number,
  d: Float64Array,
  a0: number,
  maxLs: number,
  counted: () => number,
): Promise<Step | null> {
  const n = x.length;
  let used = 0;
  const evalAt = async (a: number): Promise<Trial> => {
    const xa = new Float64Array(n);
    for (let i = 0; i < n; i++) xa[i] = x[i] + a * d[i];
    const ga = new Float64Array(n);
    const fa = await fg(xa, ga);
    used++;
    return { a, f: fa, dg: dot(ga, d), x: xa, g: ga, evaluation: counted() };
  };
  const armijo = (t: Trial) => Number.isFinite(t.f) && t.f <= f0 + C1 * t.a * dg0;
  const curvature = (t: Trial) => Math.abs(t.dg) <= -C2 * dg0;

  let prev: Trial = { a: 0, f: f0, dg: dg0, x, g: new Float64Array(0), evaluation: -1 };
  let a = a0;
  let lo: Trial, hi: Trial;
  for (;;) {
    const t = await evalAt(a);
    if (!armijo(t) || (used > 1 && t.f >= prev.f)) {
      lo = prev;
      hi = t;
      break;
    }
    if (curvature(t)) return { ...t, wolfe: true };
    if (t.dg >= 0) {
      lo = t;
      hi = prev;
      break;
    }
    if (used >= maxLs) return { ...t, wolfe: false }; // sufficient decrease holds: accept it
    prev = t;
    a *= 2;
  }
  // Zoom: lo satisfies sufficient decrease with the lowest f so far; the minimiser lies between.
  while (used < maxLs) {
    const w = hi.a - lo.a;
    let a = Number.isFinite(hi.f) ? cubicMin(lo.a, lo.f, lo.dg, hi.a, hi.f, hi.dg) : lo.a + 0.5 * w;
    const left = Math.min(lo.a, hi.a),
      right = Math.max(lo.a, hi.a),
      margin = 0.1 * Math.abs(w);
    if (!Number.isFinite(a) || a < left + margin || a > right - margin) a = lo.a + 0.5 * w;
    const t = await evalAt(a);
    if (!armijo(t) || t.f >= lo.f) {
      hi = t;
    } else {
      if (curvature(t)) return { ...t, wolfe: true };
      if (t.dg * (hi.a - lo.a) >= 0) hi = lo;
      lo = t;
    }
    if (Math.abs(hi.a - lo.a) * maxAbs(d) < 1e-14 * (1 + maxAbs(x))) break;
  }
  // No strong-Wolfe point: take the best decrease found, if any.
  return lo.evaluation >= 0 && lo.f < f0 ? { ...lo, wolfe: false } : null;
}
