/**
 * Weights downloads against a 127.0.0.1 server (Node's fetch, fake IndexedDB): the first download
 * pins the sha256 and stores the file, the next load comes from the store without a request, a
 * catalogue sha256 / name prefix that does not match is refused, a changed stored copy is refused.
 */
import 'fake-indexeddb/auto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsStore } from '../../storage/weights-store';
import { fetchWeights } from './fetch-weights';

const body = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31 + 7) & 255);
const sha = createHash('sha256').update(body).digest('hex');
let server: Server;
let url = '';
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-length': String(body.length) });
    res.end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w.safetensors`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const req = (id: string, extra = {}) => ({
  id,
  url,
  file: 'w.safetensors',
  expectedBytes: body.length,
  ...extra,
});

describe('fetchWeights', () => {
  it('downloads with progress, pins the sha256, then loads the stored copy without a request', async () => {
    const store = new WeightsStore(`w-${crypto.randomUUID()}`);
    const progress: number[] = [];
    const a = await fetchWeights(store, req('a'), (d, t) => {
      expect(t).toBe(body.length);
      progress.push(d);
    });
    expect(a).toMatchObject({ sha256: sha, fromStore: false, pinnedNow: true });
    expect(progress.at(-1)).toBe(body.length);
    expect(a.bytes).toEqual(body);
    const before = hits;
    const b = await fetchWeights(store, req('a'));
    expect(b).toMatchObject({ sha256: sha, fromStore: true, pinnedNow: false });
    expect(hits).toBe(before);
    expect(await store.list()).toEqual([
      expect.objectContaining({ id: 'a', sha256: sha, size: body.length, url }),
    ]);
  });

  it('refuses a file whose sha256 is not the catalogue’s (full or prefix) and stores nothing', async () => {
    const store = new WeightsStore(`w-${crypto.randomUUID()}`);
    await expect(fetchWeights(store, req('b', { sha256: '0'.repeat(64) }))).rejects.toThrow(
      /not the catalogue's 0{64}/,
    );
    await expect(fetchWeights(store, req('b', { sha256Prefix: 'ffffffff' }))).rejects.toThrow(
      /does not start with ffffffff/,
    );
    expect(await store.list()).toEqual([]);
    const ok = await fetchWeights(store, req('b', { sha256: sha, sha256Prefix: sha.slice(0, 8) }));
    expect(ok.pinnedNow).toBe(false);
  });

  it('a stored copy that changed since its download is refused', async () => {
    const store = new WeightsStore(`w-${crypto.randomUUID()}`);
    await fetchWeights(store, req('c'));
    const w = (await store.get('c'))!;
    const bad = w.bytes.slice();
    bad[10] ^= 1;
    await store.put({ ...w, bytes: bad });
    await expect(fetchWeights(store, req('c'))).rejects.toThrow(/changed since it was downloaded/);
  });
});
