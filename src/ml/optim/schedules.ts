/**
 * Learning-rate schedules as data (so the UI can show them and a run can store them) and one pure
 * function that evaluates them at a 0-based optimiser step.
 */

export type ScheduleConfig =
  /** The base rate at every step (after the optional warm-up). */
  | { kind: 'constant'; warmupSteps?: number }
  /** Linear warm-up, then half-cosine from base down to base·finalFactor at totalSteps (SGDR, Loshchilov & Hutter 2017; as SimCLR/BYOL). */
  | { kind: 'cosine'; totalSteps: number; warmupSteps?: number; finalFactor?: number }
  /** Multiply by gamma every `everyEpochs` epochs (the classic step decay). */
  | {
      kind: 'step';
      gamma: number;
      everyEpochs: number;
      stepsPerEpoch: number;
      warmupSteps?: number;
    };

export type ScheduleKind = ScheduleConfig['kind'];

/**
 * Learning rate at 0-based step `step` for base rate `base`.
 * Warm-up: steps 0..W−1 get base·(step+1)/W, so step W−1 reaches base and step 0 is never 0.
 * Cosine: with p = (step−W)/(T−W) clamped to [0,1], lr = f + (base−f)·(1+cos πp)/2, f = base·finalFactor.
 * Step: lr = base·γ^floor(epoch/k) with epoch = floor(step/stepsPerEpoch).
 */
export function learningRateAt(base: number, cfg: ScheduleConfig, step: number): number {
  if (!Number.isFinite(step) || step < 0) throw new Error(`schedule step must be ≥ 0, got ${step}`);
  const w = cfg.warmupSteps ?? 0;
  if (w > 0 && step < w) return (base * (step + 1)) / w;
  switch (cfg.kind) {
    case 'constant':
      return base;
    case 'cosine': {
      const span = Math.max(1, cfg.totalSteps - w);
      const p = Math.min(1, Math.max(0, (step - w) / span));
      const f = base * (cfg.finalFactor ?? 0);
      return f + ((base - f) * (1 + Math.cos(Math.PI * p))) / 2;
    }
    case 'step': {
      if (cfg.stepsPerEpoch <= 0 || cfg.everyEpochs <= 0) {
        throw new Error('step schedule needs stepsPerEpoch > 0 and everyEpochs > 0');
      }
      const epoch = Math.floor(step / cfg.stepsPerEpoch);
      return base * Math.pow(cfg.gamma, Math.floor(epoch / cfg.everyEpochs));
    }
  }
}

/** Returns `step => learningRateAt(base, cfg, step)`. */
export function makeSchedule(base: number, cfg: ScheduleConfig): (step: number) => number {
  return (step) => learningRateAt(base, cfg, step);
}
