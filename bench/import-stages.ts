/**
 * The import's stages timed one by one in a worker of the bench's page (issue 16): read the file,
 * read + SHA-256, decode alone (createImageBitmap at full size, the floor), decode at reduced size,
 * and decode + the resize that simlab stores — each over the same files with the importer's
 * number of images in flight, as images/s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * CPU seconds (user + system) used so far by every process below this Node process (Chromium's
 * browser, renderer, GPU and utility processes): per image, a figure that the other loads on a
 * shared machine barely move, unlike images/s.
 */
export function treeCpuSeconds(root = process.pid): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let st: string;
    try {
      st = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command name: state ppid ... utime(14) stime(15).
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(d), Number(f[1]));
    cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / 100);
  }
  let sum = 0;
  for (const [pid, c] of cpu) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== root) p = parent.get(p);
    if (p === root && pid !== root) sum += c;
  }
  return sum;
}

/** Worker source: receives {files, mode, inFlight, size}, answers {n, seconds, sum}. */
const WORKER = String.raw`
const ctxs = new Map();
function ctx(w, h) {
  const k = w + 'x' + h;
  let c = ctxs.get(k);
  if (!c) { c = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true }); ctxs.set(k, c); }
  return c;
}
function jpegSize(b) {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) { p++; continue; }
    const m = b[p + 1];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
      return [(b[p + 7] << 8) | b[p + 8], (b[p + 5] << 8) | b[p + 6]];
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  throw new Error('no SOF');
}
async function one(f, mode, size) {
  if (mode === 'read') return (await f.arrayBuffer()).byteLength;
  if (mode === 'readsync') return new FileReaderSync().readAsArrayBuffer(f).byteLength;
  if (mode === 'readstream') {
    let n = 0;
    for await (const c of f.stream()) n += c.length;
    return n;
  }
  if (mode === 'read1k') return (await f.slice(0, 1024).arrayBuffer()).byteLength;
  if (mode === 'idle') return new Promise((r) => setTimeout(() => r(0), 10));
  if (mode === 'read+sha256') {
    const b = await f.arrayBuffer();
    return new Uint8Array(await crypto.subtle.digest('SHA-256', b))[0];
  }
  const opt = { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' };
  if (mode === 'decode') {
    const bmp = await createImageBitmap(f, opt);
    const w = bmp.width; bmp.close(); return w;
  }
  if (mode.startsWith('decode/')) {
    // Reduced-size decode: ask for 1/k of the stored size (what a JPEG DCT-scaled decode gives),
    // mode 'decode/<k>/<resizeQuality>'.
    const [, k, q] = mode.split('/');
    const b = new Uint8Array(await f.slice(0, 65536).arrayBuffer());
    const [w, h] = jpegSize(b);
    const bmp = await createImageBitmap(f, { ...opt, resizeWidth: Math.ceil(w / k), resizeHeight: Math.ceil(h / k), resizeQuality: q });
    const r = bmp.width; bmp.close(); return r;
  }
  if (mode.startsWith('idec/')) {
    // WebCodecs ImageDecoder at 1/k size ('idec/<k>', '+rgba' also copies the frame out as RGBA).
    const k = Number(mode.split('/')[1].split('+')[0]);
    const b = new Uint8Array(await f.arrayBuffer());
    const [w, h] = jpegSize(b.subarray(0, 65536));
    const dec = new ImageDecoder({ data: b, type: 'image/jpeg', desiredWidth: Math.ceil(w / k), desiredHeight: Math.ceil(h / k) });
    const { image } = await dec.decode();
    let r = image.codedWidth * 10000 + image.codedHeight;
    if (mode.endsWith('+rgba')) {
      const buf = new Uint8Array(image.codedWidth * image.codedHeight * 4);
      await image.copyTo(buf, { format: 'RGBA' });
      r = buf[0];
    }
    self.__last = { w: image.codedWidth, h: image.codedHeight, fmt: image.format, rot: image.rotation, flip: image.flip };
    image.close(); dec.close();
    return r;
  }
  if (mode === 'decode+draw64') {
    const bmp = await createImageBitmap(f, opt);
    const s = Math.min(bmp.width, bmp.height);
    const c = ctx(size, size);
    c.imageSmoothingEnabled = true; c.imageSmoothingQuality = 'high';
    c.drawImage(bmp, (bmp.width - s) >> 1, (bmp.height - s) >> 1, s, s, 0, 0, size, size);
    bmp.close();
    return c.getImageData(0, 0, size, size).data[0];
  }
  throw new Error('unknown mode ' + mode);
}
onmessage = async (e) => {
  const { files, mode, inFlight, size } = e.data;
  const t0 = performance.now();
  let next = 0, sum = 0;
  async function lane() { while (next < files.length) sum += await one(files[next++], mode, size); }
  await Promise.all(Array.from({ length: inFlight }, lane));
  postMessage({ n: files.length, seconds: (performance.now() - t0) / 1000, sum, last: self.__last });
};
`;

/** Puts the files of `dir` into the page (a hidden folder input) for `stageRate`. */
export async function loadFolder(page: Page, dir: string): Promise<number> {
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'file';
    i.webkitdirectory = true;
    i.id = '__bench_stage_input';
    i.style.display = 'none';
    document.body.append(i);
  });
  await page.locator('#__bench_stage_input').setInputFiles(dir);
  return page.evaluate(
    () => (document.getElementById('__bench_stage_input') as HTMLInputElement).files?.length ?? 0,
  );
}

/** images/s of one stage over the files `loadFolder` put in the page. */
export async function stageRate(
  page: Page,
  mode: string,
  size: number,
  inFlight = 16,
): Promise<{ rate: number; cpuMsPerImage: number }> {
  const c0 = treeCpuSeconds();
  const r = await page.evaluate(
    async ({ src, mode, size, inFlight }) => {
      const files = [
        ...((document.getElementById('__bench_stage_input') as HTMLInputElement).files ?? []),
      ];
      const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      const w = new Worker(url);
      try {
        const r = await new Promise<{ n: number; seconds: number; last?: unknown }>((res, rej) => {
          w.onmessage = (e) => res(e.data);
          w.onerror = (e) => rej(new Error(e.message));
          w.postMessage({ files, mode, inFlight, size });
        });
        if (r.last) console.log(JSON.stringify(r.last));
        return r;
      } finally {
        w.terminate();
        URL.revokeObjectURL(url);
      }
    },
    { src: WORKER, mode, size, inFlight },
  );
  return { rate: r.n / r.seconds, cpuMsPerImage: ((treeCpuSeconds() - c0) * 1000) / r.n };
}

/** The stages the bench reports, in order. */
export const STAGES: { mode: string; what: string }[] = [
  { mode: 'read', what: 'File.arrayBuffer alone' },
  { mode: 'read+sha256', what: 'read + SHA-256' },
  { mode: 'decode', what: 'createImageBitmap(file) at full size (decode alone: the floor)' },
  { mode: 'decode+draw64', what: "decode + drawImage to 64 px ('high') + getImageData" },
  { mode: 'idec/4+rgba', what: 'read + ImageDecoder at 1/4 size + copyTo RGBA' },
];
