/**
 * The pairs lab's data: the shapes generator's four splits, or pairs drawn from a stored labelled
 * dataset (src/ml/data/pairs.ts pairsFromLabeled) with its images read from the store.
 */
import {
  generatePairSplits,
  labelCounts,
  PAIR_SPLITS,
  pairsFromLabeled,
  type PairImage,
  type PairSet,
  type PairSplit,
  type PairSplits,
} from '../../ml/data/pairs';
import { SPLIT_NAMES } from '../../ml/data/types';
import type { DatasetIndex, DatasetMeta } from '../../storage/schema';
import type { PairsDataSpec, PairsSplitInfo } from '../../common/pairs-types';

/** What the lab needs from the dataset store. */
export interface PairsStore {
  getMeta(id: string): Promise<DatasetMeta | undefined>;
  getIndex(id: string): Promise<DatasetIndex>;
  /** n × S·S·3 uint8 RGB of the given images, in the order asked. */
  readImages(id: string, indices: number[]): Promise<Uint8Array>;
}

export interface PairData {
  data: PairSplits;
  size: number;
  /** Splits scored after each epoch and in the report, in display order (the validation split 'colour' always). */
  evaluated: PairSplit[];
  labels: Record<PairSplit, string>;
  /** True for the shapes generator: kinds and centres are real (centre head, pre-training, fresh pairs). */
  generated: boolean;
  info: PairsSplitInfo[];
}

const SHAPES_LABELS: Record<PairSplit, string> = {
  train: 'train',
  test: 'test',
  colour: 'colour (val)',
  texture: 'texture (val, OOD)',
};

function splitInfo(
  d: Pick<PairData, 'data' | 'labels'>,
  names: readonly PairSplit[],
): PairsSplitInfo[] {
  return names.map((split) => ({
    split,
    label: d.labels[split],
    pairs: d.data[split].pairs.length,
    ...labelCounts(d.data[split].pairs),
  }));
}

/** Builds the lab's pair splits from a spec (its counts checked by request-schema.ts). */
export async function buildPairData(spec: PairsDataSpec, store: PairsStore): Promise<PairData> {
  if (spec.kind === 'shapes') {
    const data = generatePairSplits({
      seed: spec.seed,
      train: spec.train,
      test: spec.test,
      colour: spec.colour,
      texture: spec.texture,
    });
    const d = { data, labels: SHAPES_LABELS };
    return {
      ...d,
      size: data.train.size,
      evaluated: ['test', 'colour', 'texture'],
      generated: true,
      info: splitInfo(d, PAIR_SPLITS),
    };
  }
  const meta = await store.getMeta(spec.datasetId);
  if (!meta || meta.status !== 'ready') throw new Error(`dataset ${spec.datasetId} is not stored`);
  const main = await storedSets(
    store,
    meta,
    { train: spec.train, val: spec.val, test: spec.test },
    spec.seed,
  );
  for (const s of ['train', 'val', 'test']) {
    if (!main[s])
      throw new Error(
        `“${meta.name}” has no labelled ${s} split: the lab needs train, val (where the threshold is chosen) and test`,
      );
  }
  const empty = (split: PairSplit): PairSet => ({
    split,
    size: meta.size,
    texture: false,
    pairs: [],
  });
  const data: PairSplits = {
    train: { ...main.train, split: 'train' },
    test: { ...main.test, split: 'test' },
    colour: { ...main.val, split: 'colour' },
    // No out-of-domain split unless a second dataset is named: never scored (not in `evaluated`).
    texture: empty('texture'),
  };
  const labels: Record<PairSplit, string> = {
    train: 'train',
    test: 'test',
    colour: 'val',
    texture: '',
  };
  const evaluated: PairSplit[] = ['test', 'colour'];
  if (spec.oodDatasetId) {
    const ood = await store.getMeta(spec.oodDatasetId);
    if (!ood || ood.status !== 'ready')
      throw new Error(`dataset ${spec.oodDatasetId} is not stored`);
    if (ood.size !== meta.size)
      throw new Error(
        `the out-of-domain dataset “${ood.name}” is ${ood.size} px, “${meta.name}” is ${meta.size} px: pick one of the same size`,
      );
    const n = spec.ood ?? spec.test;
    const sets = await storedSets(store, ood, { all: n }, spec.seed + 1, true);
    data.texture = { ...sets.all, split: 'texture' };
    labels.texture = `OOD: ${ood.name}`;
    evaluated.push('texture');
  }
  const d = { data, labels };
  return {
    ...d,
    size: meta.size,
    evaluated,
    generated: false,
    info: splitInfo(d, ['train', ...evaluated]),
  };
}

/**
 * Pairs of a stored dataset's labelled images per split (or over all of them when `pooled`), with
 * their pixels. Stored images have no shape kind or centre: kind is never read for them (the lab
 * refuses pre-training and the centre head on stored data) and the centres are NaN.
 */
async function storedSets(
  store: PairsStore,
  meta: DatasetMeta,
  counts: Record<string, number>,
  seed: number,
  pooled = false,
): Promise<Record<string, PairSet>> {
  if (meta.classes.length < 2)
    throw new Error(`“${meta.name}” needs at least two classes for same/different pairs`);
  const index = await store.getIndex(meta.id);
  const items: number[] = [];
  for (let i = 0; i < index.labels.length; i++) if (index.labels[i] >= 0) items.push(i);
  const labels = items.map((i) => index.labels[i]);
  const splits: string[] = items.map((i) => (pooled ? 'all' : SPLIT_NAMES[index.splits[i]]));
  const present = new Set(splits);
  const wanted: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) if (present.has(k)) wanted[k] = v;
  const idx = pairsFromLabeled(labels, splits, wanted, seed);
  // Read each needed image once; pairs share the pixel views.
  const needed = [...new Set(Object.values(idx).flatMap((p) => [...p.a, ...p.b]))].sort(
    (x, y) => x - y,
  );
  const per = meta.size * meta.size * 3;
  const px = await store.readImages(
    meta.id,
    needed.map((k) => items[k]),
  );
  const images = new Map<number, PairImage>();
  needed.forEach((k, j) =>
    images.set(k, {
      pixels: px.subarray(j * per, (j + 1) * per),
      kind: 'circle',
      cx: NaN,
      cy: NaN,
    }),
  );
  const out: Record<string, PairSet> = {};
  for (const [name, p] of Object.entries(idx)) {
    const pairs = Array.from(p.label, (label, k) => {
      const a = images.get(p.a[k]),
        b = images.get(p.b[k]);
      if (!a || !b) throw new Error('pair image missing');
      return { a, b, label: label === 1 ? (1 as const) : (0 as const) };
    });
    out[name] = { split: 'train', size: meta.size, texture: false, pairs };
  }
  return out;
}
