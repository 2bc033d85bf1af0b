/** Pretrained-weights downloads as the page asks for them (see worker/weights/fetch-weights.ts). */
export interface WeightsFetchRequest {
  /** Catalogue id; also the IndexedDB key. */
  id: string;
  url: string;
  file: string;
  expectedBytes: number;
  sha256?: string;
  sha256Prefix?: string;
}

export interface WeightsFetchResult {
  file: string;
  bytes: Uint8Array;
  sha256: string;
  /** True when it came from IndexedDB (no download). */
  fromStore: boolean;
  /** True when this download pinned the sha256 (the catalogue had none). */
  pinnedNow: boolean;
}

/** A stored weights file as the page lists it. */
export interface StoredWeightsSummary {
  id: string;
  file: string;
  sha256: string;
  url: string;
  downloadedAt: number;
  size: number;
}
