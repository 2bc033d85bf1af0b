/**
 * torchvision parity of the ResNet-18 .safetensors export / import. Fixtures come from
 * tests/reference/safetensors_reference.py; how they are regenerated is in its docstring
 * (SIMLAB_WRITE_FIXTURES=1 makes the export test write simlab's side instead of checking it).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../node-backend.testing';
import { createResNet18 } from '../models/backbones/resnet';
import { createConvNet } from '../models/backbones/convnet';
import { linearClassifier } from '../models/heads';
import { createRng } from '../rng';
import {
  formulaInput,
  maxAbsDiff,
  REPO_ROOT,
} from '../models/backbones/backbones-reference.testing';
import {
  exportTorchvisionResNet18,
  importTorchvisionResNet18,
  torchvisionResNet18Keys,
  type ResNetStem,
} from './torchvision-resnet';
import { readSafetensors, writeSafetensors, type SafetensorsInput } from './safetensors';

const FIX = resolve(REPO_ROOT, 'tests/reference/fixtures');
const WRITE = process.env['SIMLAB_WRITE_FIXTURES'] === '1';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface SimlabCase {
  name: string;
  stem: ResNetStem;
  width: number;
  inputSize: number;
  numClasses: number | null;
  seed: number;
}
const SIMLAB_CASES: SimlabCase[] = [
  { name: 'cifar', stem: 'cifar', width: 4, inputSize: 16, numClasses: 10, seed: 11 },
  { name: 'imagenet', stem: 'imagenet', width: 4, inputSize: 32, numClasses: null, seed: 12 },
];

interface Reference {
  script: string;
  scriptSha256: string;
  versions: Record<string, string>;
  stockResnet18Keys: [string, number[]][];
  simlabToTorch: {
    name: string;
    file: string;
    fileSha256: string;
    embeddingTorch: number[];
    maxAbsErrEmbedding: number;
    logitsTorch?: number[];
    maxAbsErrLogits?: number;
  }[];
  torchToSimlab: {
    file: string;
    fileSha256: string;
    fileF16: string;
    fileF16Sha256: string;
    config: { width: number; stem: ResNetStem; inputSize: number };
    numClasses: number;
    inputShapeNCHW: number[];
    numBatchesTracked: number;
    keys: [string, number[]][];
    embedding: number[];
    logits: number[];
    embeddingF16: number[];
    logitsF16: number[];
  };
}
let cached: Reference | null = null;
/** The Python side's fixture, read on first use (write mode runs before it exists). */
function reference(): Reference {
  cached ??= JSON.parse(
    readFileSync(resolve(FIX, 'safetensors_reference.json'), 'utf8'),
  ) as Reference;
  return cached;
}

/** A seeded ResNet-18 whose BN parameters and statistics are not the defaults (all from createRng, bit-reproducible). */
function seededCase(c: SimlabCase) {
  const backbone = createResNet18({
    width: c.width,
    stem: c.stem,
    inputSize: c.inputSize,
    seed: c.seed,
  });
  const rng = createRng(c.seed + 1000);
  for (const layer of backbone.model.layers) {
    if (layer.getClassName() !== 'TorchBatchNorm') continue;
    const n = layer.weights[0].shape[0] as number;
    const vec = (lo: number, hi: number) =>
      tf.tensor1d(Float32Array.from({ length: n }, () => rng.uniform(lo, hi)));
    const values = [vec(0.5, 1.5), vec(-0.2, 0.2), vec(-0.2, 0.2), vec(0.5, 1.5), tf.scalar(5)];
    layer.setWeights(values);
    tf.dispose(values);
  }
  const head =
    c.numClasses === null
      ? null
      : linearClassifier(8 * c.width, c.numClasses, createRng(c.seed + 2000));
  return { backbone, head };
}

async function outputs(
  model: tf.LayersModel,
  head: tf.LayersModel | null,
  nchw: number[],
): Promise<{ embedding: Float32Array; logits: Float32Array | null }> {
  const x = formulaInput(nchw);
  const e = model.predict(x) as tf.Tensor;
  const l = head ? (head.predict(e) as tf.Tensor) : null;
  const res = {
    embedding: (await e.data()) as Float32Array,
    logits: l ? ((await l.data()) as Float32Array) : null,
  };
  tf.dispose([x, e, l ?? []]);
  return res;
}

describe('torchvision resnet18 .safetensors', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('fixture was written by the committed script', () => {
    const ref = reference();
    expect(sha256(readFileSync(resolve(REPO_ROOT, ref.script)))).toBe(ref.scriptSha256);
    expect(ref.versions['torch']).toMatch(/^1\.13/);
  });

  it("key names, order and shapes equal torchvision's state_dict (stock resnet18; width-4 CIFAR with fc)", () => {
    const ref = reference();
    expect(torchvisionResNet18Keys(64, 'imagenet', 1000)).toEqual(ref.stockResnet18Keys);
    expect(torchvisionResNet18Keys(4, 'cifar', 10)).toEqual(ref.torchToSimlab.keys);
  });

  for (const c of SIMLAB_CASES) {
    it(`simlab → torchvision (${c.name} stem${c.numClasses ? ', fc' : ', no fc'}): the exact bytes torchvision loaded strictly, embeddings within 1e-4`, async () => {
      const { backbone, head } = seededCase(c);
      try {
        const bytes = await exportTorchvisionResNet18(backbone.model, head ? { fc: head } : {});
        const file = `safetensors_simlab_resnet18_${c.name}.safetensors`;
        const nchw = [2, 3, c.inputSize, c.inputSize];
        const out = await outputs(backbone.model, head, nchw);
        if (WRITE) {
          writeFileSync(resolve(FIX, file), bytes);
          const path = resolve(FIX, 'safetensors_simlab_export.json');
          let doc: { writtenBy: string; cases: unknown[] };
          try {
            doc = JSON.parse(readFileSync(path, 'utf8'));
          } catch {
            doc = {
              writtenBy: 'src/ml/io/torchvision-resnet.test.ts with SIMLAB_WRITE_FIXTURES=1',
              cases: [],
            };
          }
          doc.cases = doc.cases.filter((x) => (x as { name: string }).name !== c.name);
          doc.cases.push({
            ...c,
            file,
            sha256: sha256(bytes),
            inputShapeNCHW: nchw,
            embedding: Array.from(out.embedding),
            logits: out.logits ? Array.from(out.logits) : null,
          });
          writeFileSync(path, JSON.stringify(doc, null, 1));
          console.log(`[fixtures] wrote ${file} (${bytes.length} bytes)`);
          return;
        }
        const r = reference().simlabToTorch.find((x) => x.name === c.name)!;
        expect(sha256(bytes)).toBe(sha256(readFileSync(resolve(FIX, r.file))));
        expect(sha256(bytes)).toBe(r.fileSha256);
        const file_ = readSafetensors(bytes);
        expect(file_.tensors['bn1.num_batches_tracked'].dtype).toBe('I64');
        expect(file_.metadata['stem']).toBe(c.stem);
        expect('fc.weight' in file_.tensors).toBe(c.numClasses !== null);
        const err = maxAbsDiff(out.embedding, r.embeddingTorch);
        const errL = out.logits ? maxAbsDiff(out.logits, r.logitsTorch!) : 0;
        console.log(
          `[torchvision parity] simlab → torch ${c.name}: max|Δ| embedding ${err.toExponential(2)} (python: ${r.maxAbsErrEmbedding.toExponential(2)})${out.logits ? `, logits ${errL.toExponential(2)}` : ''}`,
        );
        expect(err).toBeLessThanOrEqual(1e-4);
        expect(errL).toBeLessThanOrEqual(1e-4);
        expect(r.maxAbsErrEmbedding).toBeLessThanOrEqual(1e-4);
      } finally {
        backbone.model.dispose();
        head?.dispose();
      }
    });
  }

  for (const f16 of [false, true]) {
    it(`torchvision → simlab (${f16 ? 'F16' : 'F32'} file from a seeded torchvision resnet18): same embeddings and logits within 1e-4`, async () => {
      const b = reference().torchToSimlab;
      const bytes = readFileSync(resolve(FIX, f16 ? b.fileF16 : b.file));
      expect(sha256(bytes)).toBe(f16 ? b.fileF16Sha256 : b.fileSha256);
      const backbone = createResNet18(b.config, { initWeights: false });
      const head = linearClassifier(8 * b.config.width, b.numClasses, createRng(0));
      try {
        const info = importTorchvisionResNet18(new Uint8Array(bytes), backbone.model, { fc: head });
        expect(info).toMatchObject({ width: 4, stem: 'cifar', numClasses: 10, ignored: [] });
        const bn1 = backbone.model.getLayer('bn1').getWeights()[4];
        expect((await bn1.data())[0]).toBe(b.numBatchesTracked);
        const out = await outputs(backbone.model, head, b.inputShapeNCHW);
        const err = maxAbsDiff(out.embedding, f16 ? b.embeddingF16 : b.embedding);
        const errL = maxAbsDiff(out.logits!, f16 ? b.logitsF16 : b.logits);
        console.log(
          `[torchvision parity] torch → simlab ${f16 ? 'F16' : 'F32'}: max|Δ| embedding ${err.toExponential(2)}, logits ${errL.toExponential(2)}`,
        );
        expect(err).toBeLessThanOrEqual(1e-4);
        expect(errL).toBeLessThanOrEqual(1e-4);
      } finally {
        backbone.model.dispose();
        head.dispose();
      }
    });
  }

  it('export → import restores identical outputs and num_batches_tracked; tensor count flat', async () => {
    const c = SIMLAB_CASES[0];
    const { backbone, head } = seededCase(c);
    const fresh = createResNet18(
      { width: c.width, stem: c.stem, inputSize: c.inputSize },
      { initWeights: false },
    );
    const freshHead = linearClassifier(8 * c.width, c.numClasses!, createRng(99));
    try {
      const before = tf.memory().numTensors;
      const bytes = await exportTorchvisionResNet18(backbone.model, {
        fc: head!,
        metadata: { run: 'r1' },
      });
      const info = importTorchvisionResNet18(bytes, fresh.model, { fc: freshHead });
      expect(tf.memory().numTensors).toBe(before);
      expect(info.metadata['run']).toBe('r1');
      const a = await outputs(backbone.model, head, [1, 3, 16, 16]);
      const b = await outputs(fresh.model, freshHead, [1, 3, 16, 16]);
      expect(maxAbsDiff(a.embedding, b.embedding)).toBe(0);
      expect(maxAbsDiff(a.logits!, b.logits!)).toBe(0);
      expect(Array.from(await fresh.model.getLayer('layer3_1_bn2').getWeights()[4].data())).toEqual(
        [5],
      );
    } finally {
      [backbone.model, head!, fresh.model, freshHead].forEach((m) => m.dispose());
    }
  });

  it('wrong architecture / wrong keys: names the first mismatching key and what the file holds', async () => {
    const c = SIMLAB_CASES[0];
    const { backbone, head } = seededCase(c);
    const bytes = await exportTorchvisionResNet18(backbone.model, { fc: head! });
    const w8 = createResNet18({ width: 8, stem: 'cifar', inputSize: 16 }, { initWeights: false });
    const w4in = createResNet18(
      { width: 4, stem: 'imagenet', inputSize: 32 },
      { initWeights: false },
    );
    const w4 = createResNet18({ width: 4, stem: 'cifar', inputSize: 16 }, { initWeights: false });
    const conv = createConvNet({ inputSize: 16 }, { initWeights: false });
    const head5 = linearClassifier(32, 5, createRng(1));
    try {
      expect(() => importTorchvisionResNet18(bytes, w8.model)).toThrow(
        'conv1.weight has shape [4,3,3,3], the model expects [8,3,3,3] (the file holds a width-4 network with the cifar stem, 8 residual blocks, fc 10 classes; the model is width 8 with the cifar stem)',
      );
      expect(() => importTorchvisionResNet18(bytes, w4in.model)).toThrow(
        /conv1\.weight has shape \[4,3,3,3\], the model expects \[4,3,7,7\]/,
      );
      expect(() => importTorchvisionResNet18(bytes, w4.model, { fc: head5 })).toThrow(
        /fc\.weight has shape \[10,32\], the model expects \[5,32\]/,
      );
      expect(() => importTorchvisionResNet18(bytes, conv.model)).toThrow(/is not a ResNet-18/);
      // fc in the file but no head: skipped and reported.
      expect(importTorchvisionResNet18(bytes, w4.model).ignored).toEqual(['fc.weight', 'fc.bias']);

      const { tensors } = readSafetensors(bytes);
      const rewrite = (drop: string, extra?: string) => {
        const out: Record<string, SafetensorsInput> = {};
        for (const [k, t] of Object.entries(tensors)) {
          if (k === drop) continue;
          out[k] =
            t.dtype === 'I64'
              ? { dtype: 'I64', shape: t.shape, data: t.data as BigInt64Array }
              : { dtype: 'F32', shape: t.shape, data: t.data as Float32Array };
        }
        if (extra) out[extra] = { dtype: 'F32', shape: [1], data: [0] };
        return writeSafetensors(out);
      };
      expect(() =>
        importTorchvisionResNet18(rewrite('layer3.1.bn2.running_var'), w4.model),
      ).toThrow(/layer3\.1\.bn2\.running_var is missing/);
      expect(() =>
        importTorchvisionResNet18(rewrite('fc.bias', 'layer5.0.conv1.weight'), w4.model),
      ).toThrow(/keys the model does not: layer5\.0\.conv1\.weight/);
      expect(() =>
        importTorchvisionResNet18(rewrite('fc.weight'), w4.model, {
          fc: linearClassifier(32, 10, createRng(2)),
        }),
      ).toThrow(/fc\.weight is missing/);
      expect(() =>
        importTorchvisionResNet18(bytes.subarray(0, bytes.length - 100), w4.model),
      ).toThrow(/truncated or corrupt/);
    } finally {
      [backbone.model, head!, w8.model, w4in.model, w4.model, conv.model, head5].forEach((m) =>
        m.dispose(),
      );
    }
  });
});
