/**
 * Linear probe: multinomial logistic regression on frozen, standardised embeddings — the standard
 * linear evaluation of self-supervised features (e.g. SimCLR, Chen et al. 2020, §B.6) — fitted the
 * way sklearn's LogisticRegression(solver='lbfgs') fits it: full-batch L-BFGS to convergence.
 *
 * Objective (probe-objective.ts), sklearn's divided by n:
 *   F(W, b) = mean cross-entropy + (λ/2)·‖W‖²,   λ = 1 / (C·n)   (bias not penalised),
 * i.e. LogisticRegression(C) minimises n·F, so the same C gives the same minimiser. Features are
 * standardised with the training set's mean and population std (StandardScaler). L-BFGS (lbfgs.ts)
 * runs on preconditioned variables (probe-preconditioner.ts; same objective, same minimiser).
 * One iteration is one full pass over the training set (two matmuls on the active backend), plus
 * a pass per extra line-search trial (rare).
 */
import { minimizeLbfgs, type LbfgsStop } from './lbfgs';
import { probeObjective } from './probe-objective';
import { probePreconditioner } from './probe-preconditioner';
import { fitStandardizer, standardize, type Standardizer } from './standardize';
import type { ProbeEpoch } from './probe-epoch';

export type { ProbeEpoch } from './probe-epoch';

export interface ProbeSplit {
  /** Embeddings [n × dim] row-major. */
  x: ArrayLike<number>;
  /** Class per row, [n], in [0, numClasses). */
  y: ArrayLike<number>;
}

export interface LinearProbeOptions {
  /** Inverse L2 strength as sklearn's C (default 1); λ = 1/(C·n). */
  C?: number;
  /** Most L-BFGS iterations (default 100, sklearn's max_iter default). */
  maxIterations?: number;
  /**
   * Stop when max |∇F| (in the optimiser's preconditioned variables) ≤ tol (default 3e-5). The
   * float32 matmuls put a floor near 1e-5; the run also stops there (line search finds no further
   * decrease). On random-init ConvNet embeddings of cifar10 (5,000 × 512) 3e-5 took 49 passes and
   * left F 1e-6 above sklearn's converged optimum, same test accuracy ±0.1 point; 1e-5 took 67.
   */
  tol?: number;
  /** Precondition the L-BFGS variables (default true); false runs plain L-BFGS on (W, b). */
  precondition?: boolean;
  /** Called after each iteration with the objective and training accuracy at the new iterate. */
  onIteration?: (e: ProbeEpoch) => void;
}

/** A fitted probe: weights for standardised inputs and the standardisation they expect. */
export interface LinearProbe {
  dim: number;
  numClasses: number;
  /** W [dim × numClasses] row-major, for standardised inputs. */
  weights: Float64Array;
  /** b [numClasses]. */
  bias: Float64Array;
  standardizer: Standardizer;
  /** One point per iteration (objective and training accuracy at that iterate). */
  curves: ProbeEpoch[];
  /** Objective F at the returned weights. */
  loss: number;
  /** Training accuracy of the returned weights. */
  trainAccuracy: number;
  iterations: number;
  /** Objective evaluations (full passes) the fit used. */
  evaluations: number;
  stop: LbfgsStop;
  /** softmax(standardise(x)·W + b): raw embeddings x [m × dim] → Float32Array [m × numClasses]. */
  predictProba(x: ArrayLike<number>): Float32Array;
  /** Argmax class per row of raw embeddings x [m × dim] (ties → lower class) → Int32Array [m]. */
  predict(x: ArrayLike<number>): Int32Array;
}

/**
 * Fits the probe on x [n × dim] (raw embeddings), y [n] in [0, numClasses). The matmuls run on the
 * active tfjs backend; every tensor made is disposed before it returns.
 */
export async function fitLinearProbe(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  dim: number,
  numClasses: number,
  options: LinearProbeOptions = {},
): Promise<LinearProbe> {
  const n = y.length;
  if (x.length !== n * dim) throw new Error(`x has ${x.length} values, expected ${n}×${dim}`);
  if (n === 0) throw new Error('linear probe needs training samples');
  const C = options.C ?? 1;
  if (!(C > 0)) throw new Error(`C must be positive, got ${C}`);
  const lambda = 1 / (C * n);
  const standardizer = fitStandardizer(x, n, dim);
  const xs = standardize(standardizer, x);
  const variables =
    options.precondition === false
      ? null
      : {
          P: await probePreconditioner(xs, dim, numClasses, lambda),
          biasScale: Math.sqrt(numClasses),
        };
  const objective = probeObjective(xs, y, dim, numClasses, lambda, variables);
  const curves: ProbeEpoch[] = [];
  try {
    let accepted = 0;
    const r = await minimizeLbfgs(
      (p, g) => objective.evaluate(p, g),
      new Float64Array(objective.size),
      {
        maxIterations: options.maxIterations ?? 100,
        gradTol: options.tol ?? 3e-5,
        onIteration: (it) => {
          accepted = it.evaluation;
          const e: ProbeEpoch = {
            epoch: it.iteration,
            loss: it.f,
            trainAccuracy: objective.accuracies[it.evaluation],
          };
          curves.push(e);
          options.onIteration?.(e);
        },
      },
    );
    const { weights, bias } = objective.toWeights(r.x);
    return linearProbe(
      dim,
      numClasses,
      weights,
      bias,
      standardizer,
      curves,
      r.f,
      objective.accuracies[accepted],
      r.iterations,
      r.evaluations,
      r.stop,
    );
  } finally {
    objective.dispose();
  }
}

function linearProbe(
  dim: number,
  numClasses: number,
  weights: Float64Array,
  bias: Float64Array,
  standardizer: Standardizer,
  curves: ProbeEpoch[],
  loss: number,
  trainAccuracy: number,
  iterations: number,
  evaluations: number,
  stop: LbfgsStop,
): LinearProbe {
  const probe: LinearProbe = {
    dim,
    numClasses,
    weights,
    bias,
    standardizer,
    curves,
    loss,
    trainAccuracy,
    iterations,
    evaluations,
    stop,
    predictProba: (x) => scoreRows(probe, x, dim).probs,
    predict: (x) => scoreRows(probe, x, dim).predictions,
  };
  return probe;
}

export interface LinearProbeResult {
  /** The fitted probe (weights, standardisation, curves, predictProba). */
  probe: LinearProbe;
  curves: ProbeEpoch[];
  /** Accuracy of the final weights on the whole training set. */
  trainAccuracy: number;
  /** Accuracy of the final weights on the test set. */
  testAccuracy: number;
  testPredictions: Int32Array;
  /** Softmax probabilities on the test set [nTest × numClasses]. */
  testProbabilities: Float32Array;
}

/** Fits a probe on train {x [n × dim], y} (fitLinearProbe) and scores test {x [m × dim], y}. */
export async function trainLinearProbe(
  train: ProbeSplit,
  test: ProbeSplit,
  dim: number,
  numClasses: number,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const nTest = test.y.length;
  if (test.x.length !== nTest * dim)
    throw new Error(`test.x has ${test.x.length} values, expected ${nTest}×${dim}`);
  const probe = await fitLinearProbe(train.x, train.y, dim, numClasses, options);
  const { probs: testProbabilities, predictions: testPredictions } = scoreRows(probe, test.x, dim);
  let hit = 0;
  for (let i = 0; i < nTest; i++) if (testPredictions[i] === test.y[i]) hit++;
  return {
    probe,
    curves: probe.curves,
    trainAccuracy: probe.trainAccuracy,
    testAccuracy: nTest > 0 ? hit / nTest : 0,
    testPredictions,
    testProbabilities,
  };
}

/**
 * Class probabilities of a fitted probe on raw embeddings x [n × dim] (standardised as in
 * training): softmax(x·W + b) in float64 on the host → Float32Array [n × numClasses].
 */
export function probeProbabilities(
  probe: Pick<LinearProbe, 'weights' | 'bias' | 'standardizer'>,
  x: ArrayLike<number>,
  dim: number,
): Float32Array {
  return scoreRows(probe, x, dim).probs;
}

/** Softmax probabilities and argmax (ties → lower class) from float64 logits of raw x [n × dim]. */
function scoreRows(
  probe: Pick<LinearProbe, 'weights' | 'bias' | 'standardizer'>,
  x: ArrayLike<number>,
  dim: number,
): { probs: Float32Array; predictions: Int32Array } {
  const c = probe.bias.length;
  if (x.length % dim !== 0) throw new Error(`length ${x.length} is not a multiple of dim ${dim}`);
  const n = x.length / dim;
  const xs = standardize(probe.standardizer, x);
  const W = probe.weights;
  const probs = new Float32Array(n * c);
  const predictions = new Int32Array(n);
  const z = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    z.set(probe.bias);
    for (let d = 0; d < dim; d++) {
      const v = xs[i * dim + d],
        o = d * c;
      for (let j = 0; j < c; j++) z[j] += v * W[o + j];
    }
    let best = 0;
    for (let j = 1; j < c; j++) if (z[j] > z[best]) best = j;
    predictions[i] = best;
    const m = z[best];
    let s = 0;
    for (let j = 0; j < c; j++) {
      z[j] = Math.exp(z[j] - m);
      s += z[j];
    }
    for (let j = 0; j < c; j++) probs[i * c + j] = z[j] / s;
  }
  return { probs, predictions };
}
