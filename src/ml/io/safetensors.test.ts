import { describe, it, expect } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import {
  floatToHalf,
  halfToFloat,
  pickledTorchKind,
  readSafetensors,
  toFloat32,
  writeSafetensors,
} from './safetensors';

/** Builds a safetensors file by hand from a header object and a data area (no padding). */
function rawFile(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips F32, F16, I64, I32, U8, scalars, empty tensors and metadata', () => {
    const f = Float32Array.from([1.5, -2.25, 3e-8, 1e30, 0, -0.1]);
    const bytes = writeSafetensors(
      {
        'a.weight': { dtype: 'F32', shape: [2, 3], data: f },
        half: { dtype: 'F16', shape: [4], data: [1, -2, 65504, 0.1] },
        'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: [12345678901] },
        big: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 62n), 7n]) },
        ints: { dtype: 'I32', shape: [3], data: [-1, 0, 2147483647] },
        bytes: { dtype: 'U8', shape: [1, 2], data: [0, 255] },
        empty: { dtype: 'F32', shape: [0, 4], data: [] },
      },
      { format: 'pt', note: 'ünïcode ✓' },
    );
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' });
    expect(Object.keys(tensors)).toEqual([
      'a.weight',
      'half',
      'bn.num_batches_tracked',
      'big',
      'ints',
      'bytes',
      'empty',
    ]);
    expect(tensors['a.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data: f });
    expect(Array.from(tensors.half.data as Uint16Array)).toEqual([0x3c00, 0xc000, 0x7bff, 0x2e66]);
    expect(Array.from(toFloat32(tensors.half))).toEqual([
      1,
      -2,
      65504,
      Math.fround(halfToFloat(0x2e66)),
    ]);
    expect(tensors['bn.num_batches_tracked'].shape).toEqual([]);
    expect((tensors['bn.num_batches_tracked'].data as BigInt64Array)[0]).toBe(12345678901n);
    expect(Array.from(tensors.big.data as BigInt64Array)).toEqual([-(2n ** 62n), 7n]);
    expect(Array.from(tensors.ints.data as Int32Array)).toEqual([-1, 0, 2147483647]);
    expect(Array.from(tensors.bytes.data as Uint8Array)).toEqual([0, 255]);
    expect(tensors.empty.data.length).toBe(0);
    // Same input, same bytes.
    expect(writeSafetensors({ x: { dtype: 'F32', shape: [1], data: [1] } })).toEqual(
      writeSafetensors({ x: { dtype: 'F32', shape: [1], data: [1] } }),
    );
  });

  it('half precision: every finite bit pattern survives half → float → half; rounding is to nearest even', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (!Number.isNaN(x) && floatToHalf(x) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal → 0
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(-1e-9)).toBe(0x8000);
  });

  it('reads BF16 (widened exactly) and I64 as float32', () => {
    const vals = [1, -3.5, 0.15625, 1e20];
    const bits = new Uint16Array(vals.length);
    const f = new Float32Array(vals);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < vals.length; i++) bits[i] = u[i] >>> 16;
    const file = rawFile(
      { w: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } },
      new Uint8Array(bits.buffer),
    );
    const t = readSafetensors(file).tensors.w;
    const expected = Array.from(
      bits,
      (b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0],
    );
    expect(Array.from(toFloat32(t))).toEqual(expected);
    expect(toFloat32(t)[0]).toBe(1);
    const i64 = readSafetensors(
      writeSafetensors({ n: { dtype: 'I64', shape: [2], data: [3, -4] } }),
    ).tensors.n;
    expect(Array.from(toFloat32(i64))).toEqual([3, -4]);
  });

  it('rejects truncated and corrupt files with messages that say what is wrong', () => {
    const good = writeSafetensors({
      a: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] },
      b: { dtype: 'F32', shape: [2], data: [5, 6] },
    });
    expect(() => readSafetensors(good.subarray(0, 5))).toThrow(
      /shorter than the 8-byte header length/,
    );
    expect(() => readSafetensors(good.subarray(0, 20))).toThrow(/truncated.*header claims/);
    expect(() => readSafetensors(good.subarray(0, good.length - 4), 'w.safetensors')).toThrow(
      /tensor 'b'.*beyond the data.*truncated/,
    );
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => readSafetensors(huge)).toThrow(/implausibly large/);
    const notJson = rawFile({}, new Uint8Array(0));
    notJson[8] = 0x7a;
    expect(() => readSafetensors(notJson)).toThrow(/not valid UTF-8 JSON/);
    const data = new Uint8Array(24);
    expect(() =>
      readSafetensors(
        rawFile(
          {
            a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
            b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
          },
          data,
        ),
      ),
    ).toThrow(/'a' \[0, 16\] and 'b' \[8, 24\] overlap/);
    expect(() =>
      readSafetensors(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [16, 32] } }, data)),
    ).toThrow(/beyond the data \(24 bytes\)/);
    expect(() =>
      readSafetensors(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data)),
    ).toThrow(/needs 12 bytes but data_offsets \[0, 16\] span 16/);
    expect(() =>
      readSafetensors(rawFile({ a: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, data)),
    ).toThrow(/tensor 'a': unknown dtype "F8_E4M3"/);
    expect(() =>
      readSafetensors(rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data)),
    ).toThrow(/non-negative integers/);
    expect(() => readSafetensors(rawFile({ __metadata__: { n: 3 } }, data))).toThrow(
      /__metadata__.n must be a string/,
    );
  });

  it('refuses pickled PyTorch files and says how to convert them', () => {
    const legacy = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc]);
    expect(pickledTorchKind(legacy)).toBe('pickle');
    expect(() => readSafetensors(legacy, 'model.pth')).toThrow(
      /'model.pth' is a pickled PyTorch file \(pickle stream\).*safetensors\.torch import save_file.*save_file\(model\.state_dict\(\), "x\.safetensors"\)/,
    );
    const proto5 = Uint8Array.from([0x80, 0x05, 0x95, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(pickledTorchKind(proto5)).toBe('pickle');
    const torchZip = zipSync(
      {
        'archive/data.pkl': Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]),
        'archive/version': strToU8('3\n'),
        'archive/data/0': new Uint8Array(16),
      },
      { level: 0 },
    );
    expect(pickledTorchKind(torchZip)).toBe('zip');
    expect(() => readSafetensors(torchZip)).toThrow(
      /pickled PyTorch file \(torch\.save zip archive\).*save_file/,
    );
    const otherZip = zipSync({ 'manifest.json': strToU8('{}') });
    expect(pickledTorchKind(otherZip)).toBeNull();
    expect(() => readSafetensors(otherZip)).toThrow(/zip archive, not a safetensors file/);
    // A real safetensors file whose header happens to start like nothing above is not flagged.
    expect(
      pickledTorchKind(writeSafetensors({ a: { dtype: 'U8', shape: [1], data: [0x80] } })),
    ).toBeNull();
  });

  it('writer validates its input', () => {
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      /'a': shape \[2,2\] has 4 elements but 3 values/,
    );
    expect(() => writeSafetensors({ a: { dtype: 'I64', shape: [1], data: [1.5] } })).toThrow(
      /not an integer/,
    );
    expect(() =>
      writeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: [1] } }),
    ).toThrow(/reserved/);
  });
});
