/**
 * Node-test fixture of the evaluation engine: a generated shapes dataset (32 px, circle / square)
 * behind the dataset store's read methods, and an in-memory run store with RunStore's semantics
 * (records, checkpoint slots with their sizes) holding a run 'r' whose checkpoint is a real
 * ConvNet (width 8). Used by evaluator.test.ts and finetune.test.ts.
 */
import { generateShapes } from '../../ml/data/shapes';
import { stratifiedSplit } from '../../ml/data/splits';
import { createBackbone } from '../../ml/models/backbones';
import { checkCheckpoint, readTensor, type TrainCheckpoint } from '../../ml/train/checkpoint';
import { defaultRunConfig, type RunConfig } from '../../ml/train/config';
import type { DatasetStore } from '../../storage/dataset-store';
import {
  newRunRecord,
  withCheckpointSize,
  type CheckpointSlot,
  type RunRecord,
} from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import type { DatasetIndex, DatasetMeta } from '../../storage/schema';
import { EmbeddingCache } from './embeddings';

/** RunStore's read/write methods over Maps (IndexedDB is not in Node). */
export class MemoryRunStore {
  readonly records = new Map<string, RunRecord>();
  readonly checkpoints = new Map<string, TrainCheckpoint>();

  async list(): Promise<RunRecord[]> {
    return [...this.records.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  async get(id: string): Promise<RunRecord | undefined> {
    return this.records.get(id);
  }
  async put(r: RunRecord): Promise<void> {
    this.records.set(r.id, structuredClone(r));
  }
  async saveCheckpoint(
    r: RunRecord,
    ckpt: TrainCheckpoint,
    slots: CheckpointSlot[],
  ): Promise<RunRecord> {
    let rec = r;
    for (const slot of slots) {
      this.checkpoints.set(`${r.id}/${slot}`, structuredClone(ckpt));
      rec = withCheckpointSize(rec, slot, ckpt);
    }
    await this.put(rec);
    return rec;
  }
  async getCheckpoint(id: string, slot: CheckpointSlot): Promise<TrainCheckpoint | undefined> {
    const c = this.checkpoints.get(`${id}/${slot}`);
    if (c) checkCheckpoint(c);
    return c;
  }
  asRunStore(): RunStore {
    return this as unknown as RunStore;
  }
}

export interface EvalFixture {
  cache: EmbeddingCache;
  runs: MemoryRunStore;
  index: DatasetIndex;
  meta: DatasetMeta;
  config: RunConfig;
  /** Pixels of every image, n × 32² × 3. */
  pixels: Uint8Array;
  /**
   * Stores a run `id` whose checkpoint is a ConvNet of `width` with backbone seed `seed`; its weights
   * are that seed's initialisation, or another seed's (`weightsSeed`), like a run that trained away from its init.
   */
  addRun(
    id: string,
    opts?: { width?: number; seed?: number; weightsSeed?: number; name?: string },
  ): Promise<TrainCheckpoint>;
}

export const FIXTURE_SIZE = 32;

/** N shapes images (75% train / 25% test) and run 'r' (width-8 ConvNet, seed 0); call after the backend is set. */
export async function makeEvalFixture(n = 96): Promise<EvalFixture> {
  const SIZE = FIXTURE_SIZE;
  const samples = generateShapes(n, 5, { size: SIZE });
  const labels = samples.map((s) => (s.kind === 'circle' ? 0 : 1));
  const splits = stratifiedSplit(labels, { train: 0.75, val: 0, test: 0.25 }, 5);
  const pixels = new Uint8Array(n * SIZE * SIZE * 3);
  samples.forEach((s, i) => pixels.set(s.pixels, i * SIZE * SIZE * 3));
  const index: DatasetIndex = {
    paths: samples.map((s, i) => `${s.kind}/img_${i}.png`),
    labels: Int16Array.from(labels),
    splits,
  };
  const meta = {
    id: 'ds',
    name: 'shapes',
    status: 'ready',
    size: SIZE,
    classes: ['circle', 'square'],
    count: n,
    fingerprint: 'f',
  } as DatasetMeta;
  const base = defaultRunConfig('simclr', {
    id: 'ds',
    name: 'shapes',
    fingerprint: 'f',
    size: SIZE,
  });
  const config = { ...base, backbone: { ...base.backbone, width: 8 } } as RunConfig;
  const runs = new MemoryRunStore();
  let created = 1;
  const addRun = async (
    id: string,
    opts: { width?: number; seed?: number; weightsSeed?: number; name?: string } = {},
  ) => {
    const cfg = {
      ...config,
      backbone: { ...config.backbone, width: opts.width ?? 8, seed: opts.seed ?? 0 },
    } as RunConfig;
    const bb = createBackbone({ ...cfg.backbone, seed: opts.weightsSeed ?? cfg.backbone.seed });
    const weights = [];
    for (const w of bb.model.weights) weights.push(await readTensor(w.read()));
    bb.model.dispose();
    const ckpt = {
      format: 'simlab-checkpoint',
      version: 1,
      config: cfg,
      position: { epoch: 3, step: 30, stepInEpoch: 0 },
      backbone: weights,
      method: { method: 'simclr', step: 30, scalars: {}, tensors: {} },
      optimizer: { kind: 'adam', t: 0, slots: [] },
      curves: { steps: [], epochs: [] },
      best: null,
      createdAt: created++,
    } as TrainCheckpoint;
    const rec = {
      ...newRunRecord({ id, config: cfg, backend: 'wasm', now: created }),
      name: opts.name ?? `run ${id}`,
      status: 'finished' as const,
    };
    await runs.saveCheckpoint(rec, ckpt, ['latest']);
    return ckpt;
  };
  await addRun('r');
  const datasets = {
    getMeta: async () => meta,
    getIndex: async () => index,
  } as unknown as DatasetStore;
  const read = async (_id: string, idx: number[]) => {
    const out = new Uint8Array(idx.length * SIZE * SIZE * 3);
    idx.forEach((i, k) =>
      out.set(pixels.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3), k * SIZE * SIZE * 3),
    );
    return out;
  };
  return {
    cache: new EmbeddingCache(datasets, runs.asRunStore(), read),
    runs,
    index,
    meta,
    config,
    pixels,
    addRun,
  };
}
