/**
 * Reads simlab's dataset store straight from IndexedDB inside the page, independently of the app's
 * code, so tests check what is really stored (schema in src/storage/schema.ts).
 */
import type { Page } from 'playwright-core';

export interface StoredDataset {
  id: string;
  name: string;
  status: string;
  size: number;
  classes: string[];
  count: number;
  counts: Record<'train' | 'val' | 'test', number[]>;
  shardCapacity: number;
  shardCount: number;
  bytes: number;
}

/** All records' keys of the dataset store. */
export function storeKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('simlab-datasets');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('kv')) return resolve([]);
          const req = db.transaction('kv').objectStore('kv').getAllKeys();
          req.onsuccess = () => {
            resolve(req.result.map(String));
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** Meta records of every stored dataset. */
export function storedDatasets(page: Page): Promise<StoredDataset[]> {
  return page.evaluate(
    () =>
      new Promise<StoredDataset[]>((resolve, reject) => {
        const open = indexedDB.open('simlab-datasets');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('kv')) return resolve([]);
          const store = db.transaction('kv').objectStore('kv');
          const req = store.getAll(IDBKeyRange.bound('meta/', 'meta/\uffff'));
          req.onsuccess = () => {
            resolve(req.result as StoredDataset[]);
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** Paths, labels and splits of a dataset, plus the RGB pixels of the requested images (as number[]). */
export function storedImages(
  page: Page,
  id: string,
  indices: number[],
): Promise<{ paths: string[]; labels: number[]; splits: number[]; pixels: number[][] }> {
  return page.evaluate(
    ({ id, indices }) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('simlab-datasets');
        open.onerror = () => reject(open.error);
        open.onsuccess = async () => {
          const db = open.result;
          const get = <T>(key: string) =>
            new Promise<T>((res, rej) => {
              const r = db.transaction('kv').objectStore('kv').get(key);
              r.onsuccess = () => res(r.result as T);
              r.onerror = () => rej(r.error);
            });
          const meta = await get<{ size: number; shardCapacity: number }>(`meta/${id}`);
          const index = await get<{ paths: string[]; labels: Int16Array; splits: Uint8Array }>(
            `index/${id}`,
          );
          const per = meta.size * meta.size * 3;
          const pixels: number[][] = [];
          for (const i of indices) {
            const shard = await get<Uint8Array>(
              `shard/${id}/${Math.floor(i / meta.shardCapacity)}`,
            );
            const off = (i % meta.shardCapacity) * per;
            pixels.push(Array.from(shard.subarray(off, off + per)));
          }
          db.close();
          resolve({
            paths: index.paths,
            labels: Array.from(index.labels),
            splits: Array.from(index.splits),
            pixels,
          });
        };
      }),
    { id, indices },
  );
}

/** Records of the run store ('simlab-runs'), read straight from IndexedDB. */
export function storedRuns<
  T = { id: string; status: string; curves: { epochs: { epoch: number; knnTop1?: number }[] } },
>(page: Page): Promise<T[]> {
  return page.evaluate(
    () =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('simlab-runs');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('kv')) return resolve([]);
          const req = db
            .transaction('kv')
            .objectStore('kv')
            .getAll(IDBKeyRange.bound('run/', 'run/\uffff'));
          req.onsuccess = () => {
            resolve(req.result as T[]);
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}
