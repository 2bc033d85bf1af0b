import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../node-backend.testing';
import { createBackbone } from './backbones';
import { readTensor, type TensorData } from '../train/checkpoint';
import { loadBackboneWeights } from './load-backbone-weights';
import { createRng } from '../rng';

const CONFIG = { name: 'convnet', width: 4, blocks: 3, inputSize: 16, seed: 7 } as const;

function input(): tf.Tensor4D {
  const rng = createRng(3);
  return tf.tensor4d(
    Float32Array.from({ length: 2 * 16 * 16 * 3 }, () => rng.uniform(-1, 1)),
    [2, 16, 16, 3],
  );
}

async function weightsOf(model: tf.LayersModel): Promise<TensorData[]> {
  const out: TensorData[] = [];
  for (const w of model.weights) out.push(await readTensor(w.read()));
  return out;
}

describe('loadBackboneWeights', () => {
  beforeAll(useWasmBackend);

  it("loads a backbone's own weights into a fresh one: identical outputs, no tensors left", async () => {
    const source = createBackbone(CONFIG).model;
    const weights = await weightsOf(source);
    // Another seed, so the fresh model starts with other weights (checked below).
    const fresh = createBackbone({ ...CONFIG, seed: 8 }).model;
    const x = input();
    const want = await (source.apply(x, { training: false }) as tf.Tensor).data();
    const before = tf.memory().numTensors;
    const other = fresh.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(await other.data())).not.toEqual(Array.from(want));
    other.dispose();
    loadBackboneWeights(fresh, weights);
    expect(tf.memory().numTensors).toBe(before);
    const got = fresh.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(await got.data())).toEqual(Array.from(want));
    got.dispose();
    // The loaded variables hold the checkpoint's values bit for bit.
    const loaded = await weightsOf(fresh);
    loaded.forEach((d, i) => expect(Array.from(d.data)).toEqual(Array.from(weights[i].data)));
    tf.dispose([x]);
    source.dispose();
    fresh.dispose();
  });

  it('refuses a wrong shape, dtype or count naming the tensor, changing nothing and leaking nothing', async () => {
    const model = createBackbone(CONFIG).model;
    const good = await weightsOf(model);
    const kernel = model.weights[0];
    const bad = good.map((d) => ({ ...d }));
    bad[0] = { shape: [1, 1, 3, 4], dtype: 'float32', data: new Float32Array(12) };
    const before = tf.memory().numTensors;
    expect(() => loadBackboneWeights(model, bad, 'the file')).toThrow(
      `backbone weight 0 (${kernel.name}) has shape [1,1,3,4] in the file, [${kernel.shape}] in the model`,
    );
    const wrongType = good.map((d) => ({ ...d }));
    wrongType[0] = { ...good[0], dtype: 'int32', data: new Int32Array(good[0].data.length) };
    expect(() => loadBackboneWeights(model, wrongType)).toThrow(
      `backbone weight 0 (${kernel.name}) has dtype int32 in the checkpoint, float32 in the model`,
    );
    expect(() => loadBackboneWeights(model, good.slice(1))).toThrow(
      `the checkpoint has ${good.length - 1} backbone weights, the ${model.name} model ${good.length}`,
    );
    expect(tf.memory().numTensors).toBe(before);
    // Nothing was written: the model still holds its own weights.
    const after = await weightsOf(model);
    after.forEach((d, i) => expect(Array.from(d.data)).toEqual(Array.from(good[i].data)));
    model.dispose();
  });
});
