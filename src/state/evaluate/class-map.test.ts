import { describe, expect, it } from 'vitest';
import { defaultClassMap } from './class-map';

describe('defaultClassMap', () => {
  it('maps equal names to the run class index and the rest to `unmapped`', () => {
    const run = ['cat', 'dog', 'fox'];
    expect(defaultClassMap(['fox', 'owl', 'cat'], run, -1)).toEqual([2, -1, 0]);
    expect(defaultClassMap(['fox', 'owl', 'cat'], run, 1)).toEqual([2, 1, 0]);
    expect(defaultClassMap([], run, -1)).toEqual([]);
  });
});
