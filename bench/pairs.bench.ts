/**
 * Same-or-different pairs lab: the three pair models (early fusion, siamese, siamese + centre head)
 * trained from scratch with the same budget on the tfjs wasm backend in Node, then F1 / precision /
 * recall on test, colour and texture at the threshold chosen on the colour validation split, and
 * the training time per model.
 *
 *   node --import tsx bench/pairs.bench.ts [epochs] [trainPairs]
 *
 * Defaults: 3 epochs of 1,000 training pairs, batch 32, Adam 1e-3, ConvNet width 8 (as the learning test).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { generatePairSplits } from '../src/ml/data/pairs';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';
import { createPairModel } from '../src/ml/pairs/create-pair-model';
import { comparisonTable } from '../src/ml/pairs/evaluation';
import type { PairModelConfig } from '../src/ml/pairs/pair-model';
import { scorePairSet } from '../src/ml/pairs/scoring';
import { trainPairModel } from '../src/ml/pairs/trainer';
import { pairLabels } from '../src/ml/data/pairs';
import { emit } from './lib';

const nums = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const epochs = nums[0] ?? 3, trainPairs = nums[1] ?? 1000;
const width = 8;

await tf.setBackend('wasm');
await tf.ready();
registerWasmTrainingKernels();

const data = generatePairSplits({ seed: 1, train: trainPairs });
const configs: { name: string; config: PairModelConfig }[] = [
  { name: 'early fusion', config: { kind: 'early-fusion', width } },
  { name: 'siamese', config: { kind: 'siamese', backbone: { name: 'convnet', width } } },
  { name: 'siamese + centre head', config: { kind: 'siamese-aux', backbone: { name: 'convnet', width }, auxWeight: 1 } },
];
const size = `${trainPairs} pairs × ${epochs} epochs, convnet w${width}`;

for (const { name, config } of configs) {
  const model = createPairModel(config);
  const r = await trainPairModel(model, data, { epochs, batchSize: 32, lr: 1e-3, evalSplits: [] });
  const splits = {
    test: { scores: await scorePairSet(model, data.test), labels: pairLabels(data.test.pairs) },
    colour: { scores: await scorePairSet(model, data.colour), labels: pairLabels(data.colour.pairs) },
    texture: { scores: await scorePairSet(model, data.texture), labels: pairLabels(data.texture.pairs) },
  };
  const rows = comparisonTable([{ model: name, splits }]);
  const note = rows.map((row) => `${row.split} P ${row.precision.toFixed(3)} R ${row.recall.toFixed(3)}`).join('; ');
  for (const row of rows) {
    emit({ figure: `pairs ${name}: F1 on ${row.split} (colour threshold)`, backend: 'wasm', size, median: row.f1, unit: 'F1', runs: 1, note: `P ${row.precision.toFixed(3)} R ${row.recall.toFixed(3)}, best F1 ${row.bestF1.toFixed(3)}` });
  }
  emit({
    figure: `pairs ${name}: training time`,
    backend: 'wasm',
    size,
    median: r.trainSeconds,
    unit: 's',
    runs: 1,
    note: `${((trainPairs * 2 * epochs) / r.trainSeconds).toFixed(0)} images/s; ${note}`,
  });
  model.dispose();
}
