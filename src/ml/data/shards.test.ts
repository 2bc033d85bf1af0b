import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  imageFromShard,
  SHARD_BYTES,
  type Shard,
  shardCapacity,
  shardOf,
  ShardWriter,
} from './shards';

/** A recognisable S×S×3 image: every byte derived from the image id. */
function image(id: number, size: number): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < px.length; i++) px[i] = (id * 31 + i * 7) & 255;
  return px;
}

describe('shardCapacity / shardOf', () => {
  it('fits about 4 MiB per shard', () => {
    expect(shardCapacity(32)).toBe(Math.floor(SHARD_BYTES / 3072));
    expect(shardCapacity(32)).toBe(1365);
    expect(shardCapacity(224)).toBe(27);
    expect(shardCapacity(2048)).toBe(1);
    expect(() => shardCapacity(0)).toThrow();
    expect(shardOf(0, 10)).toEqual({ shard: 0, offset: 0 });
    expect(shardOf(23, 10)).toEqual({ shard: 2, offset: 3 });
  });
});

describe('ShardWriter', () => {
  it('round-trips images written out of order', () => {
    const size = 4,
      capacity = 3,
      n = 11;
    const shards: Shard[] = [];
    const w = new ShardWriter(size, (s) => shards.push(s), capacity);
    const order = createRng(5).shuffle(Array.from({ length: n }, (_, i) => i));
    for (const i of order) w.add(image(i, size), i);
    expect(shards.map((s) => s.count)).toEqual([3, 3, 3]);
    w.finish();
    expect(shards).toHaveLength(4);
    const byIndex = new Map(shards.map((s) => [s.shardIndex, s]));
    expect([...byIndex.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(byIndex.get(3)!.count).toBe(2);
    expect(byIndex.get(3)!.pixels.length).toBe(2 * size * size * 3);
    for (let i = 0; i < n; i++) {
      const { shard, offset } = shardOf(i, capacity);
      expect(imageFromShard(byIndex.get(shard)!.pixels, offset, size)).toEqual(image(i, size));
    }
  });

  it('uses the default capacity and emits exactly full shards in order', () => {
    const size = 64,
      cap = shardCapacity(size);
    const shards: Shard[] = [];
    const w = new ShardWriter(size, (s) => shards.push(s));
    for (let i = 0; i < cap * 2; i++) w.add(image(i, size), i);
    w.finish();
    expect(shards.map((s) => [s.shardIndex, s.count])).toEqual([
      [0, cap],
      [1, cap],
    ]);
    expect(shards[1].pixels.length).toBe(cap * size * size * 3);
    expect(imageFromShard(shards[1].pixels, cap - 1, size)).toEqual(image(2 * cap - 1, size));
  });

  it('rejects wrong sizes, duplicates, gaps and late adds', () => {
    const w = new ShardWriter(2, () => undefined, 4);
    expect(() => w.add(new Uint8Array(5), 0)).toThrow(/expected 12 bytes/);
    w.add(image(0, 2), 0);
    expect(() => w.add(image(0, 2), 0)).toThrow(/already written/);
    w.add(image(2, 2), 2);
    expect(() => w.finish()).toThrow(/image 1 was never added/);
    expect(() => w.add(image(3, 2), 3)).toThrow(/after finish/);
    expect(() => imageFromShard(new Uint8Array(24), 2, 2)).toThrow(/past the end/);
  });
});
