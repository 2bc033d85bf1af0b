/**
 * The run config's optimiser and schedule settings (config.ts, in epochs and by name) as the
 * factories in ml/optim take them (in steps, by kind). Plain data, no tensors.
 */
import type { OptimizerConfig } from '../optim/optimizers';
import type { ScheduleConfig } from '../optim/schedules';
import type { OptimizerSettings, ScheduleSettings } from './config';

/** The optimiser factory's config from the run's optimiser settings. */
export function toOptimizerConfig(o: OptimizerSettings): OptimizerConfig {
  switch (o.name) {
    case 'sgd':
      return {
        kind: 'sgd',
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
      };
    case 'adam':
    case 'adamw':
      return {
        kind: o.name,
        beta1: o.beta1,
        beta2: o.beta2,
        epsilon: o.epsilon,
        weightDecay: o.weightDecay,
      };
    case 'lars':
      return {
        kind: 'lars',
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
        trustCoefficient: o.trustCoefficient,
      };
  }
}

/** The schedule in steps (schedules.ts) from the run's schedule in epochs. */
export function toScheduleConfig(
  s: ScheduleSettings,
  epochs: number,
  stepsPerEpoch: number,
): ScheduleConfig {
  const warmupSteps = Math.round(s.warmupEpochs * stepsPerEpoch);
  switch (s.kind) {
    case 'cosine':
      return {
        kind: 'cosine',
        totalSteps: epochs * stepsPerEpoch,
        warmupSteps,
        finalFactor: s.finalFactor,
      };
    case 'step':
      return { kind: 'step', gamma: s.gamma, everyEpochs: s.every, stepsPerEpoch, warmupSteps };
    case 'constant':
      return { kind: 'constant', warmupSteps };
  }
}
