/**
 * .pth files torch 1.13 wrote (tests/reference/pth_reference.py): a state_dict loads into simlab's
 * ResNet-18 with PyTorch's embeddings and logits (≤ 1e-4), in torch 1.13's layout and torch 2.x's
 * ('archive/' + byteorder); a training checkpoint is unwrapped ('state_dict', 'module.', float16,
 * an argparse.Namespace kept as a placeholder); a self-supervised one keeps its 'backbone.' part;
 * views sharing a storage come out as torch shows them; the legacy format and a pickle calling
 * os.system are refused with messages; malformed zips are refused quickly.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync } from 'fflate';
import { useWasmBackend } from '../../node-backend.testing';
import { createResNet18 } from '../../models/backbones/resnet';
import { linearClassifier } from '../../models/heads';
import { createRng } from '../../rng';
import {
  formulaInput,
  maxAbsDiff,
  REPO_ROOT,
} from '../../models/backbones/backbones-reference.testing';
import { importTorchvisionResNet18 } from '../torchvision-resnet';
import { toFloat32 } from '../safetensors';
import { readWeightsFile } from '../weights-file';
import { readPth } from './read-pth';

const FIX = resolve(REPO_ROOT, 'tests/reference/fixtures');
interface Ref {
  files: Record<string, string>;
  sha256: Record<string, string>;
  width: number;
  numClasses: number;
  inputShapeNCHW: number[];
  keys: [string, number[]][];
  embedding: number[];
  logits: number[];
  embeddingF16: number[];
  logitsF16: number[];
  hparams: Record<string, unknown>;
  views: Record<string, { shape: number[]; values: number[] }>;
}
const REF = JSON.parse(readFileSync(resolve(FIX, 'pth_reference.json'), 'utf8')) as Ref;
const file = (k: string) => {
  const b = new Uint8Array(readFileSync(resolve(FIX, REF.files[k])));
  expect(createHash('sha256').update(b).digest('hex')).toBe(REF.sha256[k]);
  return b;
};

async function embedWith(bytes: Uint8Array, name: string, withHead: boolean) {
  const bb = createResNet18(
    { width: REF.width, stem: 'cifar', inputSize: 32 },
    { initWeights: false },
  );
  const head = withHead ? linearClassifier(8 * REF.width, REF.numClasses, createRng(0)) : null;
  try {
    const info = importTorchvisionResNet18(
      bytes,
      bb.model,
      head ? { fc: head, fileName: name } : { fileName: name },
    );
    const x = formulaInput(REF.inputShapeNCHW);
    const e = bb.model.predict(x) as tf.Tensor;
    const l = head ? (head.predict(e) as tf.Tensor) : null;
    const out = { info, embedding: await e.data(), logits: l ? await l.data() : null };
    tf.dispose([x, e, l ?? []]);
    return out;
  } finally {
    bb.model.dispose();
    head?.dispose();
  }
}

describe('PyTorch .pth reader', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  for (const k of ['plain', 'archive']) {
    it(`${k === 'plain' ? "torch 1.13's" : "torch 2.x's ('archive/', byteorder)"} layout: a resnet18 state_dict gives PyTorch's embeddings and logits (≤ 1e-4)`, async () => {
      const before = tf.memory().numTensors;
      const r = await embedWith(file(k), REF.files[k], true);
      expect(r.info).toMatchObject({
        format: 'pth',
        took: 'the state_dict',
        numClasses: 10,
        placeholders: [],
      });
      const err = maxAbsDiff(r.embedding as Float32Array, REF.embedding);
      const errL = maxAbsDiff(r.logits as Float32Array, REF.logits);
      console.log(
        `[pth parity] ${k}: max|Δ| embedding ${err.toExponential(2)}, logits ${errL.toExponential(2)}`,
      );
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(errL).toBeLessThanOrEqual(1e-4);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("a training checkpoint: takes 'state_dict', strips 'module.', widens float16, keeps the Namespace inert", async () => {
    const w = readWeightsFile(file('checkpoint'), REF.files['checkpoint']);
    expect(w.took).toBe(
      "the checkpoint's 'state_dict' entry (left: epoch, hparams, optimizer); prefix 'module.' removed",
    );
    expect(w.placeholders).toEqual(['argparse.Namespace']);
    expect(Object.keys(w.tensors)).toEqual(REF.keys.map(([k]) => k));
    expect(w.tensors['conv1.weight'].dtype).toBe('F16');
    const r = await embedWith(file('checkpoint'), REF.files['checkpoint'], true);
    expect(maxAbsDiff(r.embedding as Float32Array, REF.embeddingF16)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(r.logits as Float32Array, REF.logitsF16)).toBeLessThanOrEqual(1e-4);
  });

  it("a self-supervised checkpoint: takes the 'backbone.' part of 'model' and says the projector was left", async () => {
    const w = readWeightsFile(file('ssl'), REF.files['ssl']);
    expect(w.took).toBe("the checkpoint's 'model' entry; the 'backbone.' part (left: projector.*)");
    expect(w.skipped).toEqual(['projector.0.weight', 'projector.0.bias']);
    const r = await embedWith(file('ssl'), REF.files['ssl'], false);
    expect(maxAbsDiff(r.embedding as Float32Array, REF.embedding)).toBeLessThanOrEqual(1e-4);
  });

  it('tensors that share a storage, with offsets and strides, and bfloat16 / int64 values come out as torch shows them', () => {
    const w = readWeightsFile(file('views'), REF.files['views']);
    for (const [k, want] of Object.entries(REF.views)) {
      const t = w.tensors[k];
      expect(t.shape, k).toEqual(want.shape);
      const got =
        t.dtype === 'I64' ? [...(t.data as BigInt64Array)].map(Number) : [...toFloat32(t)];
      expect(got, k).toEqual(want.values);
    }
    expect(w.tensors['int64'].dtype).toBe('I64');
    expect(w.tensors['bf16'].dtype).toBe('BF16');
  });

  it('refuses the legacy format with the conversion recipe, and a pickle that calls os.system naming it', () => {
    expect(() => readWeightsFile(file('legacy'), 'old.pth')).toThrow(
      /'old\.pth': this \.pth is in PyTorch's legacy \(pre-1\.6\) format.*torch\.save\(torch\.load\('old\.pth'/,
    );
    expect(() => readWeightsFile(file('osSystem'), 'evil.pth')).toThrow(
      /'evil\.pth': refused: the file's pickle names os\.system \(posix\.system\)/,
    );
  });

  it('refuses malformed files with a message: truncated zip, a tensor larger than its storage, a missing storage', () => {
    const plain = file('plain');
    expect(() => readPth(plain.subarray(0, plain.length - 100), 'cut.pth')).toThrow(
      /'cut\.pth' is a truncated or damaged zip archive/,
    );
    // Re-pack the views file with storage 0 cut to 16 bytes: 'base' (24 floats) no longer fits.
    const views = unzipSync(file('views'));
    const folder = 'pth_views/';
    const short = { ...views, [`${folder}data/0`]: views[`${folder}data/0`].slice(0, 16) };
    expect(() => readPth(zipSync(short, { level: 0 }), 'short.pth')).toThrow(
      /storage 0 holds 16 bytes, fewer than its 24 F32 elements need/,
    );
    const missing = { ...views };
    delete missing[`${folder}data/1`];
    expect(() => readPth(zipSync(missing, { level: 0 }), 'missing.pth')).toThrow(
      /storage 1 is missing from the zip/,
    );
  });
});
