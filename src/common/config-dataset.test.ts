import { describe, expect, it } from 'vitest';
import { configDataset } from './config-dataset';

const meta = (
  id: string,
  fingerprint: string,
  size = 32,
  classes = ['a', 'b'],
  status: 'ready' | 'importing' = 'ready',
) => ({ id, name: `ds ${id}`, fingerprint, size, classes, status });
const ref = { id: 'x', name: 'cifar', fingerprint: 'fx', size: 32 };

describe('dataset of an imported config', () => {
  it('keeps its own dataset when stored with the same images', () => {
    expect(configDataset(ref, [meta('y', 'fy'), meta('x', 'fx')])).toEqual({
      dataset: { id: 'x', name: 'ds x', fingerprint: 'fx', size: 32 },
      note: null,
    });
  });

  it('finds the same images under another id', () => {
    const r = configDataset(ref, [meta('y', 'fy'), meta('z', 'fx')]);
    expect(r?.dataset.id).toBe('z');
    expect(r?.note).toMatch(/stored here as “ds z” \(same images\)/);
  });

  it('otherwise stands in a ready dataset of the same size (labelled first) and says so', () => {
    const r = configDataset(ref, [
      meta('u', 'fu', 32, []),
      meta('v', 'fv', 64),
      meta('w', 'fw', 32),
      meta('x', 'fx', 32, ['a'], 'importing'),
    ]);
    expect(r?.dataset).toEqual({ id: 'w', name: 'ds w', fingerprint: 'fw', size: 32 });
    expect(r?.note).toMatch(
      /“cifar” is not stored here: the form uses “ds w” \(same 32 px images\)/,
    );
    expect(configDataset(ref, [meta('v', 'fv', 64)])?.note).toMatch(
      /64 px images instead of 32 px/,
    );
    expect(configDataset(ref, [])).toBeNull();
  });
});
