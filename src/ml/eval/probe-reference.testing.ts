/**
 * Test helper: the linear-probe reference — fixtures/probe_embeddings.bin (random-init ConvNet
 * embeddings of cifar10-png, written by tests/reference/probe_embeddings.ts) and
 * fixtures/probe_reference.json (sklearn's LogisticRegression on them, probe_reference.py).
 */
import { readFileSync } from 'node:fs';
import { fixtureUrl } from './eval-reference.testing';

export interface ProbeReferenceCase {
  C: number;
  n_iter: number;
  seconds: number;
  /** Mean cross-entropy + ‖W‖²/(2·C·n) at sklearn's converged weights. */
  objective: number;
  train_accuracy: number;
  test_accuracy: number;
  default_tol_test_accuracy: number;
  default_tol_objective: number;
  /** [classes × dim] (sklearn's coef_ layout). */
  coef: number[][];
  intercept: number[];
  test_proba_first20: number[][];
}

export interface ProbeReference {
  script_sha256: string;
  sklearn: string;
  n_train: number;
  n_test: number;
  dim: number;
  num_classes: number;
  cases: ProbeReferenceCase[];
  train: { x: Float32Array; y: Int32Array };
  test: { x: Float32Array; y: Int32Array };
}

/** IEEE half → number. */
function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function loadProbeReference(): ProbeReference {
  const ref = JSON.parse(readFileSync(fixtureUrl('probe_reference.json'), 'utf8')) as Omit<
    ProbeReference,
    'train' | 'test'
  >;
  const raw = readFileSync(fixtureUrl('probe_embeddings.bin'));
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const [nTrain, nTest, dim] = new Int32Array(buf, 0, 4);
  const n = nTrain + nTest;
  const labels = new Int32Array(buf, 16, n);
  const x = Float32Array.from(new Uint16Array(buf, 16 + 4 * n, n * dim), fromHalf);
  if (nTrain !== ref.n_train || nTest !== ref.n_test || dim !== ref.dim)
    throw new Error('probe_embeddings.bin does not match probe_reference.json');
  return {
    ...ref,
    train: { x: x.subarray(0, nTrain * dim), y: labels.subarray(0, nTrain) },
    test: { x: x.subarray(nTrain * dim), y: labels.subarray(nTrain) },
  };
}
