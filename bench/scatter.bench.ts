/**
 * Large-map interactivity (issue: evaluate, "at least 50,000 points stay interactive"): plotly
 * scattergl with 50,000 points in the built app's page (headless Chromium, WebGL on SwiftShader),
 * drawn the way src/ui/plots/ScatterGl.svelte draws a t-SNE map (one trace per class × split,
 * hover text per point). The page loads the app's own plotly chunk (src/ui/plots/plotly-bundle.ts). Measures the
 * first render, a hover (mouse move over a point → plotly_hover), a zoom (relayout of both axis
 * ranges) and a pan; saves a screenshot to bench/results/scatter-50k.png.
 *
 *   node --import tsx bench/scatter.bench.ts [points]
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit, median } from './lib';

const root = resolve(import.meta.dirname, '..');
const nPoints = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50000);

const app = await startApp();
try {
  const { context, page } = await newPage(app.browser);
  const chunk = readdirSync(resolve(app.dist, 'assets')).find((f) =>
    /^plotly-bundle-.*\.js$/.test(f),
  );
  if (!chunk) throw new Error(`no plotly-bundle chunk in ${app.dist}/assets: rebuild the app`);
  await page.addInitScript('globalThis.__name = (f) => f');
  await openApp(page, app.served.url, '?backend=wasm');
  // The chunk's export names are minified: take the one that is plotly.
  await page.evaluate(async (url) => {
    const m = (await import(url)) as Record<string, unknown>;
    (window as unknown as { Plotly: unknown }).Plotly = Object.values(m).find(
      (v) => typeof (v as { react?: unknown } | null)?.react === 'function',
    );
  }, `${app.served.url}/assets/${chunk}`);
  const render = await page.evaluate(async (n) => {
    type P = {
      react(el: HTMLElement, d: unknown[], l: unknown, c?: unknown): Promise<unknown>;
      relayout(el: HTMLElement, u: Record<string, unknown>): Promise<unknown>;
    };
    const Plotly = (window as unknown as { Plotly: P }).Plotly;
    const frames = () =>
      new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    // 10 classes × {train, test}: Gaussian blobs on a ring, as a t-SNE map of 10 classes looks.
    let s = 12345;
    const uni = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    const normal = () => Math.sqrt(-2 * Math.log(1 - uni())) * Math.cos(2 * Math.PI * uni());
    const palette = [
      '#1f77b4',
      '#ff7f0e',
      '#2ca02c',
      '#d62728',
      '#9467bd',
      '#8c564b',
      '#e377c2',
      '#7f7f7f',
      '#bcbd22',
      '#17becf',
    ];
    const rows: number[][] = Array.from({ length: 20 }, () => []);
    const xy = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const c = i % 10,
        test = Math.floor(i / 10) % 6 === 0 ? 1 : 0;
      xy[2 * i] = 40 * Math.cos((2 * Math.PI * c) / 10) + 6 * normal();
      xy[2 * i + 1] = 40 * Math.sin((2 * Math.PI * c) / 10) + 6 * normal();
      rows[2 * c + test].push(i);
    }
    const data = rows.map((g, t) => ({
      type: 'scattergl',
      mode: 'markers',
      name: `class ${t >> 1} ${t & 1 ? 'test' : 'train'}`,
      x: g.map((r) => xy[2 * r]),
      y: g.map((r) => xy[2 * r + 1]),
      customdata: g,
      text: g.map((r) => `#${r} class ${t >> 1} · images/class_${t >> 1}/img_${r}.png`),
      hovertemplate: '%{text}<extra></extra>',
      marker: {
        color: palette[t >> 1],
        symbol: t & 1 ? 'diamond' : 'circle',
        size: 7,
        opacity: 0.85,
        line: { width: 0 },
      },
    }));
    const layout = {
      height: 560,
      width: 900,
      margin: { l: 40, r: 10, t: 30, b: 30 },
      xaxis: { zeroline: false, showticklabels: false },
      yaxis: { zeroline: false, showticklabels: false },
      hovermode: 'closest',
    };
    document.body.innerHTML = '';
    const el = document.createElement('div');
    el.id = 'bench-scatter';
    document.body.appendChild(el);
    const t0 = performance.now();
    await Plotly.react(el, data, layout, { displayModeBar: false });
    await frames();
    const firstRenderMs = performance.now() - t0;
    const zoomMs: number[] = [],
      panMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const a = performance.now();
      await Plotly.relayout(el, {
        'xaxis.range': [-30 + k, 10 + k],
        'yaxis.range': [10 - k, 50 - k],
      });
      await frames();
      zoomMs.push(performance.now() - a);
      const b = performance.now();
      await Plotly.relayout(el, {
        'xaxis.range': [-25 + k, 15 + k],
        'yaxis.range': [12 - k, 52 - k],
      });
      await frames();
      panMs.push(performance.now() - b);
    }
    await Plotly.relayout(el, { 'xaxis.autorange': true, 'yaxis.autorange': true });
    await frames();
    // Pixel position of point 0 for the hover test.
    const full = (
      el as unknown as {
        _fullLayout: {
          xaxis: { l2p(v: number): number; _offset: number };
          yaxis: { l2p(v: number): number; _offset: number };
        };
      }
    )._fullLayout;
    const box = el.getBoundingClientRect();
    const px = box.left + full.xaxis._offset + full.xaxis.l2p(xy[0]);
    const py = box.top + full.yaxis._offset + full.yaxis.l2p(xy[1]);
    return {
      firstRenderMs,
      zoomMs,
      panMs,
      px,
      py,
      webgl: !!document.querySelector('#bench-scatter canvas'),
    };
  }, nPoints);

  // Hover: move the real mouse next to a point, time until plotly_hover fires (5 tries, each from afar).
  const hoverMs: number[] = [];
  for (let k = 0; k < 5; k++) {
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.evaluate(() => {
      const el = document.getElementById('bench-scatter') as unknown as {
        on(ev: string, f: () => void): void;
        __t?: number;
        __hit?: Promise<number>;
      };
      el.__hit = new Promise<number>((res) => el.on('plotly_hover', () => res(performance.now())));
    });
    const t0 = await page.evaluate(() => performance.now());
    await page.mouse.move(render.px + 0.5 * k, render.py);
    const hit = await page.evaluate(async () => {
      const el = document.getElementById('bench-scatter') as unknown as { __hit: Promise<number> };
      return Promise.race([el.__hit, new Promise<number>((r) => setTimeout(() => r(NaN), 10_000))]);
    });
    hoverMs.push(hit - t0);
  }
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  const shot = resolve(root, 'bench/results/scatter-50k.png');
  await page.screenshot({ path: shot });
  const size = `${nPoints.toLocaleString('en-US')} points, 20 traces`;
  const note = `WebGL canvas: ${render.webgl}; screenshot bench/results/scatter-50k.png`;
  emit({
    figure: 'scattergl first render',
    backend: 'chromium',
    size,
    median: render.firstRenderMs,
    unit: 'ms',
    runs: 1,
    note,
  });
  emit({
    figure: 'scattergl hover → plotly_hover',
    backend: 'chromium',
    size,
    median: median(hoverMs.filter(Number.isFinite)),
    unit: 'ms',
    runs: hoverMs.filter(Number.isFinite).length,
    note: `all: ${hoverMs.map((m) => m.toFixed(0)).join(', ')}`,
  });
  emit({
    figure: 'scattergl zoom (relayout)',
    backend: 'chromium',
    size,
    median: median(render.zoomMs),
    unit: 'ms',
    runs: render.zoomMs.length,
  });
  emit({
    figure: 'scattergl pan (relayout)',
    backend: 'chromium',
    size,
    median: median(render.panMs),
    unit: 'ms',
    runs: render.panMs.length,
  });
  await context.close();
} finally {
  await app.close();
}
