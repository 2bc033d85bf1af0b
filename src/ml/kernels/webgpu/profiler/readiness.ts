/**
 * Summarises a recorded step (dry-run.ts) into the GPU-readiness figures: dispatches, FLOPs and
 * bytes per kernel kind, peak GPU bytes, and the smallest parallelism (work ÷ longest serial chain
 * of one invocation, program-costs.ts) among the programs carrying ≥ 1% of the step's FLOPs or
 * ≥ 1% of its bytes. Plain data: it crosses the worker boundary as is.
 */
import type { DispatchRecord, Recording } from './dry-run';
import { programCost } from './program-costs';
import type { GpuStepProfile, KernelKindRow, ProgramRow } from './profile-types';

export type { GpuStepProfile, KernelKindRow, ProgramRow } from './profile-types';

export const SHARE_THRESHOLD = 0.01;

export function dispatchId(d: Pick<DispatchRecord, 'kernel' | 'key'>): string {
  return `${d.kernel}|${d.key}`;
}

/** Costs every dispatch (throws on a program class without a formula) and aggregates. */
export function summarise(rec: Recording): GpuStepProfile {
  const programs = new Map<string, ProgramRow>();
  const kinds = new Map<string, KernelKindRow>();
  let flops = 0;
  let bytesRead = 0;
  let bytesWritten = 0;
  // Program class → shader keys with no formula (the error names them all at once).
  const missing = new Map<string, Set<string>>();
  for (const d of rec.dispatches) {
    let c;
    try {
      c = programCost(d);
    } catch (e) {
      if (!/^no cost formula/.test((e as Error).message)) throw e;
      const keys = missing.get(d.kernel) ?? new Set<string>();
      keys.add(d.program.shaderKey);
      missing.set(d.kernel, keys);
      continue;
    }
    flops += c.flops;
    bytesRead += c.bytesRead;
    bytesWritten += c.bytesWritten;
    const b = c.bytesRead + c.bytesWritten;
    const id = `${dispatchId(d)}|${JSON.stringify(d.uniforms)}`;
    const p = programs.get(id) ?? {
      kernel: d.kernel,
      op: d.op,
      key: d.key,
      dispatches: 0,
      invocations: d.invocations,
      work: c.work,
      serial: c.serial,
      parallelism: c.work / c.serial,
      memoryBound: c.memoryBound,
      flops: 0,
      bytes: 0,
    };
    p.dispatches++;
    p.flops += c.flops;
    p.bytes += b;
    programs.set(id, p);
    const k = kinds.get(d.kernel) ?? { kernel: d.kernel, dispatches: 0, flops: 0, bytes: 0 };
    k.dispatches++;
    k.flops += c.flops;
    k.bytes += b;
    kinds.set(d.kernel, k);
  }
  if (missing.size) {
    const list = [...missing].map(([k, keys]) => `${k} (${[...keys].join(', ')})`);
    throw new Error(`no cost formula for WebGPU program classes: ${list.join('; ')}`);
  }
  if (!programs.size) throw new Error('no WebGPU dispatch was recorded');
  const rows = [...programs.values()].sort((a, b) => b.flops - a.flops || b.bytes - a.bytes);
  const bytes = bytesRead + bytesWritten;
  const carrying = rows.filter(
    (p) => p.flops >= SHARE_THRESHOLD * flops || p.bytes >= SHARE_THRESHOLD * bytes,
  );
  const minParallelism = carrying.reduce((m, p) => (p.parallelism < m.parallelism ? p : m));
  const maxSerial = rows.reduce((m, p) => (p.serial > m.serial ? p : m));
  return {
    dispatches: rec.dispatches.length,
    flops,
    bytesRead,
    bytesWritten,
    peakGpuBytes: rec.peakGpuBytes,
    kinds: [...kinds.values()].sort((a, b) => b.flops - a.flops || b.bytes - a.bytes),
    minParallelism,
    maxSerial,
    programs: rows,
  };
}
