/** Optimiser choices as plain data (tfjs-free: configs, checkpoints and the page use them; optimizers.ts applies them). */
export type OptimizerConfig =
  | { kind: 'sgd'; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adam'; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }
  | { kind: 'adamw'; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }
  | {
      kind: 'lars';
      momentum?: number;
      nesterov?: boolean;
      weightDecay?: number;
      trustCoefficient?: number;
    };

export type OptimizerKind = OptimizerConfig['kind'];
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'lars'];
