import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 digests of "abc" and of the empty string', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await sha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('agrees with node:crypto on a 1 MB buffer and on a subarray view', async () => {
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    expect(await sha256Hex(big)).toBe(createHash('sha256').update(big).digest('hex'));
    // A view into a larger buffer hashes only its own bytes.
    const view = big.subarray(1000, 5000);
    expect(await sha256Hex(view)).toBe(
      createHash('sha256')
        .update(Buffer.from(big.buffer, 1000, 4000))
        .digest('hex'),
    );
  });
});
