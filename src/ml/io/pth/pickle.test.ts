/**
 * The restricted unpickler against CPython's own pickles (tests/reference/pth_reference.py wrote
 * pickle.dumps of plain values at protocols 0, 2, 4 and 5 with the values as JSON) and on hostile
 * streams: denied globals, deep nesting, a huge memo, too many MARKs, truncation.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../../models/backbones/backbones-reference.testing';
import { PyDict, PyList, PyObject, unpickle } from './pickle';

interface PickleCase {
  name: string;
  protocol: number;
  hex: string;
  value: unknown;
}
const REF = JSON.parse(
  readFileSync(resolve(REPO_ROOT, 'tests/reference/fixtures/pth_reference.json'), 'utf8'),
) as { pickleCases: PickleCase[] };

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
/** Bytes from numbers and latin1 strings. */
function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts)
    if (typeof p === 'number') out.push(p);
    else for (const c of p) out.push(c.charCodeAt(0));
  return new Uint8Array(out);
}
const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];

/** The unpickled value in the fixture's JSON form (tuples as lists, bytes and big ints tagged). */
function plain(v: unknown): unknown {
  if (v instanceof PyDict) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return { bigint: v.toString() };
  return v;
}

describe('unpickle', () => {
  for (const c of REF.pickleCases) {
    it(`reads CPython's pickle.dumps (${c.name})`, () => {
      const v = unpickle(hex(c.hex), { onPlaceholder: (g) => expect.fail(`placeholder ${g}`) });
      expect(plain(v)).toEqual(c.value);
      if (c.name.startsWith('shared')) {
        const l = v as PyList;
        expect(l[0]).toBe(l[1]); // the memo keeps one object for both references
      }
    });
  }

  it('an unknown global becomes an inert placeholder with its state; a known one is the caller’s function', () => {
    // argparse.Namespace(lr=0.5): GLOBAL, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, 'lr', BINFLOAT, SETITEM, BUILD
    // prettier-ignore
    const p = bytes(0x80, 2, 0x63, 'argparse\nNamespace\n', 0x29, 0x81, 0x7d, 0x58, ...u32(2), 'lr',
      0x47, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0x73, 0x62, 0x2e);
    const seen: string[] = [];
    const v = unpickle(p, { onPlaceholder: (g) => seen.push(g) }) as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect(v.global).toBe('argparse.Namespace');
    expect((v.state as PyDict).get('lr')).toBe(0.5);
    expect(seen).toEqual(['argparse.Namespace']);
    const called: unknown[][] = [];
    const w = unpickle(p, {
      globals: { 'argparse.Namespace': (a) => (called.push([...a]), 'ns') },
    });
    expect(w).toBe('ns');
    expect(called).toEqual([[]]);
  });

  for (const [module, name, shown] of [
    ['posix', 'system', 'os.system'],
    ['os', 'system', 'os.system'],
    ['nt', 'system', 'os.system'],
    ['subprocess', 'Popen', 'subprocess.Popen'],
    ['builtins', 'eval', 'builtins.eval'],
    ['builtins', 'exec', 'builtins.exec'],
    ['builtins', 'getattr', 'builtins.getattr'],
    ['builtins', '__import__', 'builtins.__import__'],
    ['__builtin__', 'eval', 'builtins.eval'],
  ]) {
    it(`refuses a pickle that names ${module}.${name} with a message naming ${shown}, calling nothing`, () => {
      const p = bytes(
        0x80,
        2,
        0x63,
        `${module}\n${name}\n`,
        0x58,
        ...u32(2),
        'hi',
        0x85,
        0x52,
        0x2e,
      );
      let calls = 0;
      const globals = new Proxy({}, { get: () => () => calls++ });
      const re = new RegExp(`refused: the file's pickle names ${shown.replace(/[.]/g, '\\.')}`);
      expect(() => unpickle(p, { globals })).toThrow(re);
      expect(calls).toBe(0);
    });
  }

  it('STACK_GLOBAL (protocol 4) is checked the same way', () => {
    const p = bytes(0x80, 4, 0x8c, 5, 'posix', 0x8c, 6, 'system', 0x93, 0x2e);
    expect(() => unpickle(p)).toThrow(/os\.system/);
  });

  it('refuses deep nesting, a huge memo, too many MARKs and truncation with a message', () => {
    // Timings are logged, not asserted (the machine is shared); each is milliseconds when quiet.
    const quick = (f: () => unknown, re: RegExp) => {
      const t0 = performance.now();
      expect(f).toThrow(re);
      console.log(
        `[pickle limits] ${re.source}: refused in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    };
    // 100k nested lists ([[[…]]]): EMPTY_LIST × 100k, then APPEND × (100k − 1).
    const deep = new Uint8Array(2 + 100_000 + 99_999 + 1);
    deep.set([0x80, 2]);
    deep.fill(0x5d, 2, 100_002);
    deep.fill(0x61, 100_002, deep.length - 1);
    deep[deep.length - 1] = 0x2e;
    quick(() => unpickle(deep), /nests containers deeper than 200 levels/);
    // 1M fresh memo entries (LONG_BINPUT i).
    const memo = new Uint8Array(3 + 5 * 1_000_000);
    memo.set([0x80, 2, 0x4e]);
    for (let i = 0; i < 1_000_000; i++) memo.set([0x72, ...u32(i)], 3 + 5 * i);
    quick(() => unpickle(memo), /memo grows past 250000 entries/);
    quick(() => unpickle(new Uint8Array(200_000).fill(0x28)), /MARKs deeper than 1000/);
    quick(() => unpickle(bytes(0x80, 2, 0x58, ...u32(1_000_000), 'abc')), /truncated/);
    quick(() => unpickle(bytes(0x80, 2, 0x5d)), /truncated/);
    quick(() => unpickle(bytes(0x80, 2, 0x68, 7, 0x2e)), /memo entry 7, which was never set/);
    quick(() => unpickle(bytes(0x80, 2, 0xff)), /opcode 0xff/);
  });
});
