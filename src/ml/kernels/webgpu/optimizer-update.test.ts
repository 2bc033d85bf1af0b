import { describe, expect, it } from 'vitest';
import { OptimizerUpdateProgram, type FusedRule } from './optimizer-update';

const RULES: FusedRule[] = [
  { kind: 'sgd', momentum: 0.9, nesterov: true, wd: 1e-4 },
  { kind: 'sgd', momentum: 0, nesterov: false, wd: 0 },
  { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, wd: 0.05, decoupled: true },
  { kind: 'lars', momentum: 0.9, nesterov: false, wd: 1e-6, eta: 1e-3, adapt: true },
  { kind: 'lars', momentum: 0.9, nesterov: true, wd: 1e-6, eta: 1e-3, adapt: false },
];

/** Field names of the WGSL Uniforms struct, in order. */
function uniformFields(code: string): string[] {
  const body = /struct Uniforms \{([^}]*)\}/.exec(code)?.[1] ?? '';
  return body
    .split(',')
    .map((f) => f.trim().split(':')[0]?.trim())
    .filter((f): f is string => !!f);
}

describe('OptimizerUpdateProgram', () => {
  for (const rule of RULES) {
    it(`${JSON.stringify(rule)}: uniform values line up with the WGSL struct, one binding per slot`, () => {
      const p = new OptimizerUpdateProgram(rule, 1000);
      const code = p.getCode();
      const fields = uniformFields(code);
      const data = p.uniformData(0.1, 3);
      expect(fields.length).toBe(data.length);
      expect(fields[0]).toBe('n');
      expect(data[0]).toEqual({ type: 'int32', data: [1000] });
      expect(data[1].data[0]).toBeCloseTo(0.1, 12);
      expect(code.match(/var<storage, read_write> slot/g)?.length ?? 0).toBe(p.slots);
      expect(p.slots).toBe(
        rule.kind === 'adam' ? 2 : rule.kind === 'sgd' && rule.momentum === 0 ? 0 : 1,
      );
      // LARS with adaptation reduces the norms in one workgroup; the rest cover n in 256-wide groups.
      const single = rule.kind === 'lars' && rule.adapt;
      expect(p.dispatch).toEqual(single ? [1, 1, 1] : [4, 1, 1]);
    });
  }

  it("Adam's bias corrections and decoupled decay factor are computed in double, as the tensor path does", () => {
    const p = new OptimizerUpdateProgram(RULES[2], 10);
    const d = p.uniformData(0.01, 7).map((u) => u.data[0]);
    const f = uniformFields(p.getCode());
    const at = (name: string) => d[f.indexOf(name)];
    expect(at('oneMinusLrWd')).toBe(1 - 0.01 * 0.05);
    expect(at('bias1')).toBe(1 - Math.pow(0.9, 7));
    expect(at('bias2')).toBe(1 - Math.pow(0.999, 7));
  });
});
