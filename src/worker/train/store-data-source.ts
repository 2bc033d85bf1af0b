/**
 * The training loop's DataSource over a dataset stored in IndexedDB (uint8 RGB shards).
 */
import type { DataSource } from '../../ml/train/data-source';
import type { DatasetStore } from '../../storage/dataset-store';
import type { DatasetMeta } from '../../storage/schema';

export async function storeDataSource(
  store: DatasetStore,
  id: string,
): Promise<{ source: DataSource; meta: DatasetMeta }> {
  const meta = await store.getMeta(id);
  if (!meta || meta.status !== 'ready')
    throw new Error(`dataset ${id} is not stored (deleted, or its import never finished)`);
  const index = await store.getIndex(id);
  const per = meta.size * meta.size * 3;
  const source: DataSource = {
    size: meta.size,
    count: meta.count,
    numClasses: meta.classes.length,
    labels: index.labels,
    splits: index.splits,
    async getImages(indices) {
      const out = new Uint8Array(indices.length * per);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        const shard = await store.getShard(id, Math.floor(i / meta.shardCapacity));
        const off = (i % meta.shardCapacity) * per;
        out.set(shard.subarray(off, off + per), k * per);
      }
      return out;
    },
  };
  return { source, meta };
}
