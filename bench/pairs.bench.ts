/**
 * Same-or-different pairs lab: the three pair models (early fusion, siamese, siamese + centre head)
 * trained FROM SCRATCH with one common budget on the tfjs wasm backend in Node, then F1 / precision /
 * recall on test, colour and texture at the threshold chosen on the colour validation split, the
 * training time per model (wall and process CPU seconds: the machine is shared), and for a model
 * that stays collapsed (test F1 < 0.8) its score medians and last-step gradient norms.
 *
 *   node --import tsx bench/pairs.bench.ts [--epochs 12] [--pairs 2000] [--fixed] [--models ef,siamese,aux] [--plain]
 *
 * Budget (default): `epochs` epochs of `pairs` FRESH training pairs each (new images every epoch;
 * --fixed reuses the 1,000-pair train split), batch 32, Adam 3e-3 with a cosine schedule, ConvNet
 * width 8, per-image input standardisation. Siamese models compare batch-normalised embeddings
 * (embeddingHead 'batchnorm' / 'linear-batchnorm'); the auxiliary centre MSE is weighted 10; early
 * fusion has a 64-unit MLP head. --plain trains the lab's default configs instead (raw inputs, no
 * embedding head, linear fusion head, centre weight 1) with the same budget.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { generatePairSplits, pairLabels } from '../src/ml/data/pairs';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';
import { createPairModel } from '../src/ml/pairs/create-pair-model';
import {
  comparisonTable,
  scoreMedians,
  type ComparedSplit,
  type SplitScores,
} from '../src/ml/pairs/evaluation';
import type { PairModelConfig } from '../src/ml/pairs/pair-model';
import { scorePairSet } from '../src/ml/pairs/scoring';
import { trainPairModel } from '../src/ml/pairs/trainer';
import { emit } from './lib';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const epochs = Number(arg('epochs', '12'));
const fixed = process.argv.includes('--fixed');
const plain = process.argv.includes('--plain');
const pairsPerEpoch = fixed ? 1000 : Number(arg('pairs', '2000'));
const wanted = arg('models', 'ef,siamese,aux').split(',');
const width = 8,
  batchSize = 32,
  lr = 3e-3,
  dataSeed = 1;

await tf.setBackend('wasm');
await tf.ready();
registerWasmTrainingKernels();

const backbone = { name: 'convnet' as const, width };
const tuned = { inputNorm: 'per-image' } as const;
const configs: { key: string; name: string; config: PairModelConfig }[] = [
  {
    key: 'ef',
    name: 'early fusion',
    config: plain
      ? { kind: 'early-fusion', width }
      : { kind: 'early-fusion', width, headHidden: 64, ...tuned },
  },
  {
    key: 'siamese',
    name: 'siamese',
    config: plain
      ? { kind: 'siamese', backbone }
      : { kind: 'siamese', backbone, embeddingHead: 'batchnorm', ...tuned },
  },
  {
    key: 'aux',
    name: 'siamese + centre head',
    config: plain
      ? { kind: 'siamese-aux', backbone, auxWeight: 1 }
      : {
          kind: 'siamese-aux',
          backbone,
          embeddingHead: 'linear-batchnorm',
          auxWeight: 10,
          ...tuned,
        },
  },
];

const data = generatePairSplits({ seed: dataSeed, train: pairsPerEpoch });
const steps = epochs * Math.ceil(pairsPerEpoch / batchSize);
const size = `${epochs} epochs × ${pairsPerEpoch} ${fixed ? 'fixed' : 'fresh'} pairs (${steps} steps of ${batchSize}), Adam ${lr} cosine, convnet w${width}${plain ? ', default configs' : ''}`;
const fmt = (x: number) => x.toFixed(3);

for (const { key, name, config } of configs.filter((c) => wanted.includes(c.key))) {
  const model = createPairModel(config);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await trainPairModel(
    model,
    data,
    {
      epochs,
      batchSize,
      lr,
      schedule: { kind: 'cosine', totalSteps: steps },
      freshPairs: !fixed,
      dataSeed,
      gradNorms: true,
      evalSplits: ['colour'],
      evalEvery: 3,
    },
    (e) => {
      const best = e.bestF1.colour,
        med = e.medians.colour;
      if (best && med) {
        console.error(
          `${name} epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, colour best F1 ${fmt(best.f1)}, medians same ${med.same.toFixed(2)} / different ${med.different.toFixed(2)}`,
        );
      }
    },
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const splits = {} as Record<ComparedSplit, SplitScores>;
  for (const split of ['test', 'colour', 'texture'] as const)
    splits[split] = {
      scores: await scorePairSet(model, data[split]),
      labels: pairLabels(data[split].pairs),
    };
  const rows = comparisonTable([{ model: name, splits }]);
  for (const row of rows) {
    const med = scoreMedians(splits[row.split]);
    emit({
      figure: `pairs ${name}: F1 on ${row.split} (colour threshold)`,
      backend: 'wasm',
      size,
      median: row.f1,
      unit: 'F1',
      runs: 1,
      note: `P ${fmt(row.precision)} R ${fmt(row.recall)}, best F1 ${fmt(row.bestF1)}, median ${model.scoreKind} same ${med.same.toFixed(2)} / different ${med.different.toFixed(2)}`,
    });
  }
  emit({
    figure: `pairs ${name}: training time`,
    backend: 'wasm',
    size,
    median: wall,
    unit: 's',
    runs: 1,
    note: `wall (incl. fresh pairs and per-epoch colour scoring); CPU ${cpuSeconds.toFixed(0)} s; ${((2 * pairsPerEpoch * epochs) / r.trainSeconds).toFixed(0)} images/s in steps; final loss ${r.history[r.history.length - 1]?.loss.toFixed(4)}`,
  });
  const test = rows.find((row) => row.split === 'test');
  const last = r.history[r.history.length - 1];
  if (test && test.f1 < 0.8 && last?.gradNorms) {
    const norms = Object.entries(last.gradNorms)
      .map(([k, v]) => `${k} ${v.toExponential(1)}`)
      .join(', ');
    emit({
      figure: `pairs ${name}: collapsed, last-step gradient norms`,
      backend: 'wasm',
      size,
      median: test.f1,
      unit: 'F1',
      runs: 1,
      note: norms,
    });
  }
  void key;
  model.dispose();
}
