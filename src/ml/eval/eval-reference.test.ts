import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureUrl } from './eval-reference.testing';

describe('eval reference fixtures', () => {
  it('were written by the current tests/reference/eval_reference.py with sklearn 1.2', () => {
    const script = readFileSync(
      new URL('../../../tests/reference/eval_reference.py', import.meta.url),
    );
    const sha = createHash('sha256').update(script).digest('hex');
    for (const name of ['eval_reference.json', 'eval_bench.json']) {
      const f = JSON.parse(readFileSync(fixtureUrl(name), 'utf8')) as {
        script_sha256: string;
        sklearn: string;
      };
      expect(f.script_sha256, `${name} is stale: rerun the script`).toBe(sha);
      expect(f.sklearn).toMatch(/^1\.2\./);
    }
  });
});
