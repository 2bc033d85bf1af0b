/**
 * What the training loop reads images from. The worker implements it over the IndexedDB dataset
 * store (storage/dataset-store.ts); Node tests use the in-memory implementation below.
 */

export interface DataSource {
  /** Side of the square stored images in px. */
  readonly size: number;
  /** Number of images. */
  readonly count: number;
  /** Number of classes (0 for an unlabeled dataset). */
  readonly numClasses: number;
  /** Class index per image, -1 when unlabeled; length `count`. */
  readonly labels: Int16Array;
  /** Split code per image (0 train, 1 val, 2 test, see data/splits.ts); length `count`. */
  readonly splits: Uint8Array;
  /** Pixels of the given images in that order: n×size×size×3 uint8 RGB, row-major (a new array the caller owns). */
  getImages(indices: number[]): Promise<Uint8Array>;
}

/** A DataSource over pixels held in memory: `pixels` is count×size×size×3 uint8 RGB. */
export class InMemoryDataSource implements DataSource {
  readonly size: number;
  readonly count: number;
  readonly numClasses: number;
  readonly labels: Int16Array;
  readonly splits: Uint8Array;
  readonly #pixels: Uint8Array;

  constructor(opts: {
    size: number;
    pixels: Uint8Array;
    labels: Int16Array;
    splits: Uint8Array;
    numClasses?: number;
  }) {
    const per = opts.size * opts.size * 3;
    if (opts.pixels.length % per !== 0) {
      throw new Error(
        `pixels hold ${opts.pixels.length} bytes, not a multiple of ${opts.size}×${opts.size}×3`,
      );
    }
    this.size = opts.size;
    this.count = opts.pixels.length / per;
    if (opts.labels.length !== this.count)
      throw new Error(`${this.count} images but ${opts.labels.length} labels`);
    if (opts.splits.length !== this.count)
      throw new Error(`${this.count} images but ${opts.splits.length} split codes`);
    this.#pixels = opts.pixels;
    this.labels = opts.labels;
    this.splits = opts.splits;
    let max = -1;
    for (const l of opts.labels) max = Math.max(max, l);
    this.numClasses = opts.numClasses ?? max + 1;
  }

  async getImages(indices: number[]): Promise<Uint8Array> {
    const per = this.size * this.size * 3;
    const out = new Uint8Array(indices.length * per);
    indices.forEach((idx, k) => {
      if (!Number.isInteger(idx) || idx < 0 || idx >= this.count)
        throw new Error(`image index ${idx} out of range 0..${this.count - 1}`);
      out.set(this.#pixels.subarray(idx * per, (idx + 1) * per), k * per);
    });
    return out;
  }
}

/** Indices of the images in split `code` (0 train, 1 val, 2 test), optionally only labelled ones. */
export function indicesOfSplit(
  source: Pick<DataSource, 'splits' | 'labels'>,
  code: number,
  labelledOnly = false,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < source.splits.length; i++) {
    if (source.splits[i] === code && (!labelledOnly || source.labels[i] >= 0)) out.push(i);
  }
  return out;
}
