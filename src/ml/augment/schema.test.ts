/** Pipeline schema and presets: presets validate and serialise; invalid pipelines name each bad field. */
import { describe, expect, it } from 'vitest';
import { listPresets, PRESET_NAMES, presetPipeline } from './presets';
import { blurKernelSize } from './ops/gaussian-blur';
import {
  AUGMENT_OP_NAMES,
  parsePipeline,
  validatePipeline,
  validateView,
  type AugmentPipeline,
} from './schema';

describe('augment presets', () => {
  it.each(PRESET_NAMES)('%s validates and survives a JSON round trip', (name) => {
    const pipe = presetPipeline(name, 64);
    const again = JSON.parse(JSON.stringify(pipe)) as unknown;
    const v = validatePipeline(again);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.pipeline).toEqual(pipe);
  });

  it('follow the papers’ parameters', () => {
    const simclr = presetPipeline('simclr').views[0];
    expect(simclr.find((o) => o.op === 'random-resized-crop')).toMatchObject({ scale: [0.08, 1] });
    expect(simclr.find((o) => o.op === 'color-jitter')).toMatchObject({
      p: 0.8,
      brightness: 0.8,
      contrast: 0.8,
      saturation: 0.8,
      hue: 0.2,
    });
    expect(simclr.find((o) => o.op === 'random-grayscale')).toMatchObject({ p: 0.2 });
    expect(simclr.find((o) => o.op === 'gaussian-blur')).toMatchObject({
      p: 0.5,
      sigma: [0.1, 2],
      kernelFraction: 0.1,
    });
    const [b1, b2] = presetPipeline('byol').views;
    expect(b1.find((o) => o.op === 'gaussian-blur')?.p).toBe(1);
    expect(b2.find((o) => o.op === 'gaussian-blur')?.p).toBe(0.1);
    expect(b1.find((o) => o.op === 'solarize')?.p).toBe(0);
    expect(b2.find((o) => o.op === 'solarize')?.p).toBe(0.2);
    expect(b1.find((o) => o.op === 'color-jitter')).toMatchObject({
      brightness: 0.4,
      contrast: 0.4,
      saturation: 0.2,
      hue: 0.1,
    });
    const moco = presetPipeline('mocov2').views[0];
    expect(moco.find((o) => o.op === 'random-resized-crop')).toMatchObject({ scale: [0.2, 1] });
    expect(moco.find((o) => o.op === 'color-jitter')).toMatchObject({
      brightness: 0.4,
      contrast: 0.4,
      saturation: 0.4,
      hue: 0.1,
    });
    expect(presetPipeline('simsiam').views).toEqual(presetPipeline('mocov2').views);
    expect(presetPipeline('supervised').views[0].find((o) => o.op === 'rotation')).toMatchObject({
      degrees: 20,
    });
    expect(
      presetPipeline('gentle').views[0].find((o) => o.op === 'random-resized-crop'),
    ).toMatchObject({ scale: [0.5, 1] });
    expect(presetPipeline('none').views[0].map((o) => o.op)).toEqual(['normalize']);
    // Every preset ends with ImageNet normalisation; SimCLR's kernel is ~10% of the side and odd.
    for (const name of PRESET_NAMES) {
      for (const v of presetPipeline(name).views)
        expect(v[v.length - 1]).toMatchObject({ op: 'normalize', mean: [0.485, 0.456, 0.406] });
    }
    expect(blurKernelSize(64, 0.1)).toBe(7);
  });

  it('lists presets as editable copies and rejects unknown names with the valid ones', () => {
    const list = listPresets();
    expect(list.map((p) => p.name)).toEqual([...PRESET_NAMES]);
    list[0].views[0].length = 0;
    expect(presetPipeline('simclr').views[0].length).toBeGreaterThan(0);
    expect(() => presetPipeline('simclrr')).toThrow(
      /unknown augmentation preset 'simclrr'; valid presets: simclr, byol/,
    );
  });

  it('knows every op name', () => {
    expect([...AUGMENT_OP_NAMES].sort()).toEqual([
      'color-jitter',
      'gaussian-blur',
      'horizontal-flip',
      'normalize',
      'random-grayscale',
      'random-resized-crop',
      'rotation',
      'solarize',
    ]);
  });
});

describe('augment pipeline validation', () => {
  const good = (): AugmentPipeline => presetPipeline('byol', 64);

  it('lists every problem with its path and the op it is in', () => {
    const bad = good() as unknown as { outputSize: unknown; views: Record<string, unknown>[][] };
    bad.outputSize = 63.5;
    bad.views[0][0] = { ...bad.views[0][0], scale: [0.9, 0.2] };
    bad.views[1][4] = { ...bad.views[1][4], sigma: [-1, 2] };
    bad.views[1][2] = { ...bad.views[1][2], p: 1.5 };
    const v = validatePipeline(bad);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const byPath = Object.fromEntries(v.issues.map((i) => [i.path, i.message]));
    expect(byPath['outputSize']).toMatch(/integer/);
    expect(byPath['views[0][0].scale']).toMatch(
      /random-resized-crop scale: must be \[min, max\] with min ≤ max/,
    );
    expect(byPath['views[1][4].sigma[0]']).toMatch(/gaussian-blur sigma.0: must be > 0/);
    expect(byPath['views[1][2].p']).toMatch(/color-jitter p: must be ≤ 1/);
    expect(v.issues).toHaveLength(4);
  });

  it('names unknown ops, unknown fields and missing fields', () => {
    const p = good() as unknown as { views: Record<string, unknown>[][] };
    p.views[0][1] = { op: 'mixup', enabled: true, p: 0.5 };
    p.views[0][2] = { ...p.views[0][2], brightnes: 0.4 };
    const { saturation: _drop, ...noSat } = p.views[1][2] as Record<string, unknown>;
    p.views[1][2] = noSat;
    const v = validatePipeline(p);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const paths = v.issues.map((i) => i.path);
    expect(paths).toContain('views[0][1].op');
    expect(paths).toContain('views[0][2]');
    expect(paths).toContain('views[1][2].saturation');
    expect(v.issues.find((i) => i.path === 'views[0][2]')?.message).toMatch(/brightnes/);
  });

  it('requires normalize last, one crop per view, two views and p = 1 for normalize', () => {
    const p = good() as unknown as { views: unknown[][] };
    const v0 = p.views[0] as { op: string }[];
    p.views[0] = [v0[v0.length - 1], ...v0.slice(0, -1), v0[0]];
    const r = validatePipeline(p);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.message).join('\n')).toMatch(/normalize must be the last op/);
      expect(r.issues.map((i) => i.message).join('\n')).toMatch(
        /only one random-resized-crop per view/,
      );
    }
    expect(validatePipeline({ outputSize: 64, views: [[]] }).ok).toBe(false);
    const n = validateView([
      { op: 'normalize', enabled: true, p: 0.5, mean: [0, 0, 0], std: [1, 1, 1] },
    ]);
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.issues[0]).toMatchObject({ path: '[0].p' });
  });

  it('parsePipeline throws one error listing each problem', () => {
    expect(() => parsePipeline({ outputSize: 4, views: 'x' })).toThrow(
      /outputSize: must be ≥ 8[\s\S]*views/,
    );
    expect(parsePipeline(good())).toEqual(good());
  });
});
