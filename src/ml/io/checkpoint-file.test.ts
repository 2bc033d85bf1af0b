import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { z } from 'zod';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useWasmBackend } from '../node-backend.testing';
import { createConvNet } from '../models/backbones/convnet';
import { createResNet18 } from '../models/backbones/resnet';
import { linearClassifier } from '../models/heads';
import { createRng } from '../rng';
import {
  exportCheckpoint,
  importCheckpoint,
  sha256Hex,
  type ConfigValidator,
} from './checkpoint-file';
import { writeSafetensors } from './safetensors';

const RunConfigish = z.object({
  seed: z.number().int(),
  backbone: z.object({ name: z.string() }),
  epochs: z.number().int().positive(),
});
const validate: ConfigValidator = (json) => {
  const r = RunConfigish.safeParse(json);
  return r.success
    ? { ok: true, problems: [] }
    : { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
};
const CONFIG = { seed: 3, backbone: { name: 'resnet18', width: 4 }, epochs: 2 };
const HISTORY = { loss: [2.3, 1.9], knnTop1: [0.12, 0.31] };

function input(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * size * size * 3 }, () => rng.uniform(-1, 1)),
    [n, size, size, 3],
  );
}

/** Models with non-default BN statistics (one training-mode pass) and a SeededDropout layer. */
function models() {
  const conv = createConvNet({ width: 4, blocks: 3, inputSize: 16, dropout: 0.1, seed: 1 });
  const res = createResNet18({ width: 4, stem: 'cifar', inputSize: 16, seed: 2 });
  const head = linearClassifier(res.embeddingDim, 5, createRng(3));
  tf.tidy(() => {
    const x = input(4, 16, 9);
    conv.model.apply(x, { training: true });
    res.model.apply(x, { training: true });
  });
  return { convnet: conv.model, backbone: res.model, classifier: head };
}

async function outputs(
  m: Record<string, tf.LayersModel>,
  x: tf.Tensor4D,
): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  const e = m.backbone.predict(x) as tf.Tensor;
  const l = m.classifier.predict(e) as tf.Tensor;
  const c = m.convnet.predict(x) as tf.Tensor;
  out.backbone = (await e.data()) as Float32Array;
  out.classifier = (await l.data()) as Float32Array;
  out.convnet = (await c.data()) as Float32Array;
  tf.dispose([e, l, c]);
  return out;
}

/** Unzips, lets `edit` change files, re-hashes them into the manifest unless told not to, zips again. */
async function repack(
  bytes: Uint8Array,
  edit: (files: Record<string, Uint8Array>) => void,
  rehash = true,
): Promise<Uint8Array> {
  const files = unzipSync(bytes);
  edit(files);
  if (rehash && files['manifest.json']) {
    const m = JSON.parse(strFromU8(files['manifest.json']));
    for (const p of Object.keys(m.files)) if (files[p]) m.files[p] = await sha256Hex(files[p]);
    files['manifest.json'] = strToU8(JSON.stringify(m));
  }
  return zipSync(files);
}

describe('checkpoint file (zip: tfjs layers models + config + history + manifest)', () => {
  let src: Record<string, tf.LayersModel>;
  let bytes: Uint8Array;
  const created = new Date('2026-01-02T03:04:05Z');
  const st = writeSafetensors({ 'conv1.weight': { dtype: 'F32', shape: [1], data: [1] } });

  beforeAll(async () => {
    await useWasmBackend();
    src = models();
    bytes = await exportCheckpoint({
      models: src,
      config: CONFIG,
      history: HISTORY,
      extra: { 'backbone.safetensors': st },
      created,
    });
  });

  it('round trip: identical outputs and weights (BN statistics, num_batches_tracked), config, history, extra; tensor count flat', async () => {
    const x = input(2, 16, 5);
    const before = tf.memory().numTensors;
    const imp = await importCheckpoint(bytes, validate);
    expect(Object.keys(imp.models)).toEqual(['convnet', 'backbone', 'classifier']);
    expect(imp.config).toEqual(CONFIG);
    expect(imp.history).toEqual(HISTORY);
    expect(imp.extra['backbone.safetensors']).toEqual(st);
    expect(imp.manifest).toMatchObject({
      format: 'simlab-checkpoint',
      formatVersion: 1,
      created: created.toISOString(),
      extra: ['backbone.safetensors'],
    });
    expect(imp.manifest.models.map((m) => [m.name, m.path, m.inputShape])).toEqual([
      ['convnet', 'models/convnet/model.json', [[null, 16, 16, 3]]],
      ['backbone', 'models/backbone/model.json', [[null, 16, 16, 3]]],
      ['classifier', 'models/classifier/model.json', [[null, 32]]],
    ]);
    for (const name of Object.keys(src)) {
      const a = src[name].getWeights();
      const b = imp.models[name].getWeights();
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++)
        expect(Array.from(await b[i].data())).toEqual(Array.from(await a[i].data()));
    }
    expect((await imp.models.backbone.getLayer('bn1').getWeights()[4].data())[0]).toBe(1);
    const want = await outputs(src, x);
    const got = await outputs(imp.models, x);
    for (const k of Object.keys(want)) expect(Array.from(got[k])).toEqual(Array.from(want[k]));
    Object.values(imp.models).forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('the files are the standard tfjs layers format (tf.loadLayersModel via tf.io.fromMemory), with a README and sha256 manifest', async () => {
    const files = unzipSync(bytes);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.txt',
        'config.json',
        'extra/backbone.safetensors',
        'history.json',
        'manifest.json',
        'models/backbone/model.json',
        'models/backbone/weights.bin',
        'models/classifier/model.json',
        'models/classifier/weights.bin',
        'models/convnet/model.json',
        'models/convnet/weights.bin',
      ].sort(),
    );
    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    for (const [p, h] of Object.entries(manifest.files)) expect(await sha256Hex(files[p])).toBe(h);
    const readme = strFromU8(files['README.txt']);
    expect(readme).toMatch(/tf\.loadLayersModel\('file:\/\//);
    expect(readme).toMatch(/tf\.io\.fromMemory/);
    expect(readme).toMatch(/extra\/backbone\.safetensors is a torchvision resnet18 state_dict/);
    const json = JSON.parse(strFromU8(files['models/backbone/model.json']));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const w = files['models/backbone/weights.bin'];
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: w.slice().buffer,
      }),
    );
    const x = input(1, 16, 6);
    const a = src.backbone.predict(x) as tf.Tensor;
    const b = model.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    // Same models, same time → same bytes.
    const again = await exportCheckpoint({
      models: src,
      config: CONFIG,
      history: HISTORY,
      extra: { 'backbone.safetensors': st },
      created,
    });
    expect(await sha256Hex(again)).toBe(await sha256Hex(bytes));
  });

  it('unzipped, a model loads with plain tf.loadLayersModel(http://…/model.json), as the README says', async () => {
    const files = unzipSync(bytes);
    const server = createServer((req, res) => {
      const body = files[(req.url ?? '/').slice(1)];
      res.writeHead(body ? 200 : 404).end(body ? Buffer.from(body) : undefined);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as AddressInfo;
      const model = await tf.loadLayersModel(`http://127.0.0.1:${port}/models/convnet/model.json`);
      const x = input(1, 16, 7);
      const a = src.convnet.predict(x) as tf.Tensor;
      const b = model.predict(x) as tf.Tensor;
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      model.dispose();
    } finally {
      server.close();
    }
  });

  it('clear messages: truncated, not a zip, pickled / safetensors input, no manifest, wrong format or version, corrupt file, unlisted file', async () => {
    await expect(
      importCheckpoint(bytes.subarray(0, Math.floor(bytes.length / 2)), validate),
    ).rejects.toThrow(/truncated or corrupt/);
    await expect(importCheckpoint(bytes.subarray(0, bytes.length - 10), validate)).rejects.toThrow(
      /truncated or corrupt/,
    );
    await expect(importCheckpoint(strToU8('{"not": "a zip"}'), validate)).rejects.toThrow(
      /does not start like a zip/,
    );
    await expect(importCheckpoint(st, validate)).rejects.toThrow(
      /\.safetensors weights file, not a simlab checkpoint/,
    );
    await expect(
      importCheckpoint(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]), validate),
    ).rejects.toThrow(/pickled PyTorch file/);
    await expect(importCheckpoint(zipSync({ 'a.txt': strToU8('x') }), validate)).rejects.toThrow(
      /no manifest\.json/,
    );
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          (files) => void (files['manifest.json'] = strToU8('{"format": "simlab-checkpoint",')),
          false,
        ),
        validate,
      ),
    ).rejects.toThrow(/manifest\.json in the checkpoint is not valid JSON/);
    await expect(
      importCheckpoint(
        await repack(bytes, (files) => void (files['history.json'] = strToU8('[1, 2'))),
        validate,
      ),
    ).rejects.toThrow(/history\.json in the checkpoint is not valid JSON/);
    const editManifest =
      (f: (m: Record<string, unknown>) => void) => (files: Record<string, Uint8Array>) => {
        const m = JSON.parse(strFromU8(files['manifest.json']));
        f(m);
        files['manifest.json'] = strToU8(JSON.stringify(m));
      };
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          editManifest((m) => (m.formatVersion = 2)),
        ),
        validate,
      ),
    ).rejects.toThrow(
      'checkpoint format version 2 is not supported: this simlab reads version 1 (the file comes from a newer simlab)',
    );
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          editManifest((m) => (m.format = 'keras')),
        ),
        validate,
      ),
    ).rejects.toThrow(/format is "keras", expected "simlab-checkpoint"/);
    const flipped = await repack(
      bytes,
      (files) => {
        files['models/backbone/weights.bin'][100] ^= 1;
      },
      false,
    );
    await expect(importCheckpoint(flipped, validate)).rejects.toThrow(
      'models/backbone/weights.bin is corrupt: its sha256 does not match the manifest',
    );
    await expect(
      importCheckpoint(
        await repack(bytes, (files) => void (files['evil.js'] = strToU8('x')), false),
        validate,
      ),
    ).rejects.toThrow(/holds evil\.js, which its manifest does not list/);
  });

  it('a malformed manifest or model.json is refused naming the field (zod)', async () => {
    const edit =
      (path: string, f: (m: Record<string, unknown>) => void) =>
      (files: Record<string, Uint8Array>) => {
        const m = JSON.parse(strFromU8(files[path]));
        f(m);
        files[path] = strToU8(JSON.stringify(m));
      };
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          edit('manifest.json', (m) => delete m.models),
          false,
        ),
        validate,
      ),
    ).rejects.toThrow('manifest.json is malformed: models: must list the models');
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          edit('manifest.json', (m) => ((m.models as { params: unknown }[])[0].params = 'many')),
          false,
        ),
        validate,
      ),
    ).rejects.toThrow(/manifest\.json is malformed: models\[0\]\.params: /);
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          edit('manifest.json', (m) => ((m.files as Record<string, string>)['config.json'] = 'x')),
          false,
        ),
        validate,
      ),
    ).rejects.toThrow('manifest.json is malformed: files.config.json: must be a sha256 in hex');
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          edit('models/backbone/model.json', (m) => (m.format = 'graph-model')),
        ),
        validate,
      ),
    ).rejects.toThrow(
      `model 'backbone': model.json is malformed: format: is "graph-model", expected "layers-model"`,
    );
    await expect(
      importCheckpoint(
        await repack(
          bytes,
          edit(
            'models/backbone/model.json',
            (m) => (m.weightsManifest = [{ paths: ['weights.bin'] }]),
          ),
        ),
        validate,
      ),
    ).rejects.toThrow(
      `model 'backbone': model.json is malformed: weightsManifest[0].weights: must list the weight specs`,
    );
  });

  it('rejects an invalid config with the validator’s problems', async () => {
    const bad = await repack(
      bytes,
      (files) =>
        void (files['config.json'] = strToU8(
          JSON.stringify({ seed: 1.5, backbone: { name: 'resnet18' }, epochs: 0 }),
        )),
    );
    await expect(importCheckpoint(bad, validate)).rejects.toThrow(
      /config\.json is not a valid run config: seed: .*; epochs: /,
    );
  });

  it('mismatched weight shapes, missing weights and unregistered classes are named; nothing leaks', async () => {
    const editModel =
      (
        name: string,
        f: (json: {
          modelTopology: unknown;
          weightsManifest: { weights: { name: string; shape: number[] }[] }[];
        }) => void,
      ) =>
      (files: Record<string, Uint8Array>) => {
        const p = `models/${name}/model.json`;
        const json = JSON.parse(strFromU8(files[p]));
        f(json);
        files[p] = strToU8(JSON.stringify(json));
      };
    const before = tf.memory().numTensors;
    // Architecture says 8 classes; weights.bin was saved for 5 (byte counts still agree after the spec edit below).
    const wrongShape = await repack(
      bytes,
      editModel('classifier', (json) => {
        const s = JSON.stringify(json.modelTopology).replace('"units":5', '"units":8');
        json.modelTopology = JSON.parse(s);
      }),
    );
    await expect(importCheckpoint(wrongShape, validate)).rejects.toThrow(
      /model 'classifier': weight '.*kernel' has shape \[32,5\] in weights.bin but the architecture needs \[32,8\]/,
    );
    const wrongSpec = await repack(
      bytes,
      editModel('backbone', (json) => {
        json.weightsManifest[0].weights[0].shape = [3, 3, 3, 5];
      }),
    );
    await expect(importCheckpoint(wrongSpec, validate)).rejects.toThrow(
      /model 'backbone': the weight specs need \d+ bytes but the weight files hold \d+/,
    );
    const renamed = await repack(
      bytes,
      editModel('backbone', (json) => {
        json.weightsManifest[0].weights[0].name = 'other/kernel';
      }),
    );
    await expect(importCheckpoint(renamed, validate)).rejects.toThrow(
      /model 'backbone': weight 'conv1\/kernel' \[3,3,3,4\] is not in weights\.bin/,
    );
    const evil = await repack(
      bytes,
      editModel('backbone', (json) => {
        json.modelTopology = JSON.parse(
          JSON.stringify(json.modelTopology).replace(
            '"class_name":"TorchBatchNorm"',
            '"class_name":"Function"',
          ),
        );
      }),
    );
    await expect(importCheckpoint(evil, validate)).rejects.toThrow(
      /model 'backbone' uses classes this simlab does not know: Function/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad names and models whose nested weights clash', async () => {
    await expect(
      exportCheckpoint({ models: { '../x': src.classifier }, config: CONFIG, history: null }),
    ).rejects.toThrow(/model name "\.\.\/x"/);
    await expect(exportCheckpoint({ models: {}, config: CONFIG, history: null })).rejects.toThrow(
      /at least one model/,
    );
    const a = createResNet18(
      { width: 2, inputSize: 8 },
      { initWeights: false, modelName: 'online' },
    );
    const b = createResNet18(
      { width: 2, inputSize: 8 },
      { initWeights: false, modelName: 'target' },
    );
    const inp = tf.input({ shape: [8, 8, 3] });
    const both = tf.model({
      inputs: inp,
      outputs: [a.model.apply(inp) as tf.SymbolicTensor, b.model.apply(inp) as tf.SymbolicTensor],
    });
    await expect(
      exportCheckpoint({ models: { pair: both }, config: CONFIG, history: null }),
    ).rejects.toThrow(/model 'pair' has two weights named 'conv1\/kernel'/);
    both.dispose();
  });
});
