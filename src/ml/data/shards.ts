/**
 * Pixel shards: decoded images are stored as uint8 RGB S×S×3, packed K to a shard so storage
 * holds a few MiB per value instead of one tiny value per image. Image i lives in shard
 * floor(i / K) at offset i mod K.
 */

/** Target shard size in bytes. */
export const SHARD_BYTES = 4 * 1024 * 1024;

/** Images per shard for S×S×3 uint8 images: max(1, floor(4 MiB / (S·S·3))). */
export function shardCapacity(size: number): number {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`image size must be a positive integer (got ${size})`);
  return Math.max(1, Math.floor(SHARD_BYTES / (size * size * 3)));
}

/** Where image `imageIndex` lives: shard number and position inside the shard. */
export function shardOf(imageIndex: number, capacity: number): { shard: number; offset: number } {
  return { shard: Math.floor(imageIndex / capacity), offset: imageIndex % capacity };
}

/** The S×S×3 pixels of image `offset` in a shard's pixel buffer, as a view (no copy). */
export function imageFromShard(shard: Uint8Array, offset: number, size: number): Uint8Array {
  const bytes = size * size * 3;
  if ((offset + 1) * bytes > shard.length)
    throw new Error(
      `offset ${offset} is past the end of a shard of ${shard.length / bytes} images`,
    );
  return shard.subarray(offset * bytes, (offset + 1) * bytes);
}

export interface Shard {
  shardIndex: number;
  /** count·S·S·3 bytes, owned by the receiver (safe to transfer). */
  pixels: Uint8Array;
  /** Images in this shard (the capacity, except for the last shard). */
  count: number;
}

interface Pending {
  buffer: Uint8Array;
  filled: Uint8Array;
  nFilled: number;
}

/**
 * Packs images into shards. Images may arrive in any order (parallel decoding): `add` places each
 * at its position, and a shard goes to `onShard` as soon as all its slots are filled; `finish`
 * flushes the last, partial shard (and fails on a gap, which would mean a lost image).
 */
export class ShardWriter {
  readonly size: number;
  readonly capacity: number;
  readonly #bytes: number;
  readonly #onShard: (shard: Shard) => void;
  readonly #pending = new Map<number, Pending>();
  readonly #done = new Set<number>();
  #finished = false;

  constructor(size: number, onShard: (shard: Shard) => void, capacity = shardCapacity(size)) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`shard capacity must be a positive integer (got ${capacity})`);
    this.size = size;
    this.capacity = capacity;
    this.#bytes = size * size * 3;
    this.#onShard = onShard;
  }

  /** Copies one S·S·3 image into slot `position`; emits its shard when that becomes full. */
  add(pixels: Uint8Array, position: number): void {
    if (this.#finished) throw new Error('ShardWriter.add after finish');
    if (pixels.length !== this.#bytes)
      throw new Error(
        `expected ${this.#bytes} bytes (${this.size}×${this.size}×3), got ${pixels.length}`,
      );
    if (!Number.isInteger(position) || position < 0)
      throw new Error(`position must be a non-negative integer (got ${position})`);
    const { shard, offset } = shardOf(position, this.capacity);
    if (this.#done.has(shard))
      throw new Error(`position ${position} was already written (shard ${shard} is complete)`);
    let p = this.#pending.get(shard);
    if (!p) {
      p = {
        buffer: new Uint8Array(this.capacity * this.#bytes),
        filled: new Uint8Array(this.capacity),
        nFilled: 0,
      };
      this.#pending.set(shard, p);
    }
    if (p.filled[offset]) throw new Error(`position ${position} was already written`);
    p.buffer.set(pixels, offset * this.#bytes);
    p.filled[offset] = 1;
    p.nFilled++;
    if (p.nFilled === this.capacity) this.#emit(shard, p, this.capacity);
  }

  /** Flushes the remaining partial shard(s); throws when a slot before the last written one is empty. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const shard of [...this.#pending.keys()].sort((a, b) => a - b)) {
      const p = this.#pending.get(shard)!;
      const count = p.filled.lastIndexOf(1) + 1;
      const gap = p.filled.indexOf(0);
      if (gap >= 0 && gap < count)
        throw new Error(
          `image ${shard * this.capacity + gap} was never added (shard ${shard} has a gap)`,
        );
      this.#emit(shard, p, count);
    }
  }

  #emit(shard: number, p: Pending, count: number): void {
    this.#pending.delete(shard);
    this.#done.add(shard);
    const pixels = count === this.capacity ? p.buffer : p.buffer.slice(0, count * this.#bytes);
    this.#onShard({ shardIndex: shard, pixels, count });
  }
}
