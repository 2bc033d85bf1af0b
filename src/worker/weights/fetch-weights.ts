/**
 * Pretrained weights from the catalogue, fetched only when the user asks: downloaded with progress
 * (import/download.ts: a server that refuses CORS gets the "download it yourself, then drop it
 * here" message), checked against the manifest's sha256 (or torchvision's file-name prefix of it),
 * kept in IndexedDB with the sha256 pinned at the first download, and checked against that pin on
 * every later load.
 */
import { sha256Hex } from '../../ml/io/sha256';
import type { WeightsStore } from '../../storage/weights-store';
import { downloadFile } from '../import/download';
import type { WeightsFetchRequest, WeightsFetchResult } from '../../common/weights-types';

export async function fetchWeights(
  store: WeightsStore,
  req: WeightsFetchRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<WeightsFetchResult> {
  const check = (sha: string, what: string) => {
    if (req.sha256 && sha !== req.sha256)
      throw new Error(
        `${what} has sha256 ${sha}, not the catalogue's ${req.sha256}: it is not the published file`,
      );
    if (req.sha256Prefix && !sha.startsWith(req.sha256Prefix))
      throw new Error(
        `${what} has sha256 ${sha}, which does not start with ${req.sha256Prefix} as its published name says`,
      );
  };
  const stored = await store.get(req.id);
  if (stored) {
    const sha = await sha256Hex(stored.bytes);
    if (sha !== stored.sha256)
      throw new Error(
        `the stored ${stored.file} changed since it was downloaded (sha256 ${sha}, pinned ${stored.sha256}): delete it and download it again`,
      );
    check(sha, `the stored ${stored.file}`);
    onProgress?.(stored.bytes.length, stored.bytes.length);
    return {
      file: stored.file,
      bytes: stored.bytes,
      sha256: sha,
      fromStore: true,
      pinnedNow: false,
    };
  }
  const file = await downloadFile(req.url, req.file, (done, total) =>
    onProgress?.(done, total ?? req.expectedBytes),
  );
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sha = await sha256Hex(bytes);
  check(sha, `the downloaded ${req.file}`);
  await store.put({
    id: req.id,
    file: req.file,
    bytes,
    sha256: sha,
    url: req.url,
    downloadedAt: Date.now(),
  });
  return { file: req.file, bytes, sha256: sha, fromStore: false, pinnedNow: !req.sha256 };
}
