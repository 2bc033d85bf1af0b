/**
 * One Optimizer over two parameter groups with their own learning rates, as PyTorch's param
 * groups do for fine-tuning: the backbone at the scheduled rate, the new head at `headFactor`
 * times it (the head starts from scratch, the backbone from useful weights). Each group has its
 * own slots (two optimisers of the same kind inside); checkpoints see one state aligned with the
 * variable list, so captureCheckpoint / restoreCheckpoint work unchanged.
 */
import type * as tf from '@tensorflow/tfjs';
import {
  createOptimizer,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerState,
} from '../../ml/optim/optimizers';

/**
 * An optimiser whose apply(vars, grads, lr) updates head variables (`isHead`) at lr × headFactor
 * and the others at lr; both groups count one step per apply (Adam's bias correction stays right).
 */
export function paramGroupOptimizer(
  cfg: OptimizerConfig,
  isHead: (v: tf.Variable) => boolean,
  headFactor: number,
): Optimizer {
  if (!(headFactor > 0 && Number.isFinite(headFactor)))
    throw new Error(`head learning-rate factor must be > 0, got ${headFactor}`);
  const body = createOptimizer(cfg);
  const head = createOptimizer(cfg);
  return {
    config: cfg,
    apply(vars, grads, lr) {
      body.apply(
        vars.filter((v) => !isHead(v)),
        grads,
        lr,
      );
      head.apply(vars.filter(isHead), grads, lr * headFactor);
    },
    getState(vars): OptimizerState {
      const a = body.getState(vars);
      const b = head.getState(vars);
      const slots = vars.map((v, i) => {
        const [keep, drop] = isHead(v) ? [b.slots[i], a.slots[i]] : [a.slots[i], b.slots[i]];
        drop.forEach((t) => t.dispose());
        return keep;
      });
      return { kind: a.kind, t: a.t, slots };
    },
    setState(vars, state) {
      const only = (pick: boolean) => ({
        ...state,
        slots: state.slots.map((s, i) => (isHead(vars[i]) === pick ? s : [])),
      });
      body.setState(vars, only(false));
      head.setState(vars, only(true));
    },
    dispose() {
      body.dispose();
      head.dispose();
    },
  };
}
