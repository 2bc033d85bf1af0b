/**
 * The layer rule (.dependency-cruiser.cjs) catches wrong imports: a fixture tree with one planted
 * violation per rule must report exactly those, and the real src tree none. Runs the same CLI as
 * `npm run lint:layers`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string): Violation[] {
  const r = spawnSync(process.execPath, [cli, 'src', '--config', config, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (!r.stdout) throw new Error(`depcruise printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** "rule from → to" with node_modules paths cut to the package name. */
function describeViolation(v: Violation): string {
  const pkg = (p: string) => p.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  return `${v.rule.name} ${v.from} → ${pkg(v.to)}`;
}

describe('layer rule', () => {
  it('reports every planted wrong import in the fixture tree, and nothing else', () => {
    const found = cruise(path.join(root, 'tests/layers/fixture')).map(describeViolation).sort();
    expect(found).toEqual(
      [
        'common-is-shared src/common/uses-state.ts → src/state/panel-state.ts',
        'ml-is-leaf src/ml/leaks-svelte.ts → svelte',
        'no-circular src/common/cycle-a.ts → src/common/cycle-b.ts',
        // reachable: the ui file through its ml type, and everything above it through the ui file
        'no-tfjs-above-worker src/common/uses-state.ts → @tensorflow/tfjs',
        'no-tfjs-above-worker src/state/panel-state.ts → @tensorflow/tfjs',
        'no-tfjs-above-worker src/ui/Panel.ts → @tensorflow/tfjs',
        'only-storage-idb src/worker/own-store.ts → idb-keyval',
        'page-imports-only-api src/ui/Panel.ts → src/ml/tensor-sum.ts',
        'state-not-ui src/state/panel-state.ts → src/ui/Panel.ts',
        'testing-only-in-tests src/ml/uses-test-helper.ts → src/ml/tiny-data.testing.ts',
        'storage-below-worker src/storage/opens-worker.ts → src/worker/api.ts',
        'ui-not-clients src/ui/uses-client.ts → src/worker/client.ts',
      ].sort(),
    );
  });

  it('finds no violation in src', () => {
    expect(cruise(root).map(describeViolation)).toEqual([]);
  });
});
