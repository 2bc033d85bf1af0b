/** Builds any method from plain-data config (what the UI edits and a run stores): name → factory. */
import type { MethodSettings } from '../train/config';
import { createByol, type ByolConfig, type ByolMethod } from './byol';
import type { BackboneInput } from './encoder';
import { METHOD_NAMES } from './method';
import { createMocoV2, type MocoV2Config, type MocoV2Method } from './mocov2';
import { createSimClr, type SimClrConfig, type SimClrMethod } from './simclr';
import { createSimSiam, type SimSiamConfig, type SimSiamMethod } from './simsiam';
import { createSupervised, type SupervisedConfig, type SupervisedMethod } from './supervised';

export type MethodConfig =
  | ({ method: 'supervised' } & SupervisedConfig)
  | ({ method: 'simclr' } & SimClrConfig)
  | ({ method: 'byol' } & ByolConfig)
  | ({ method: 'simsiam' } & SimSiamConfig)
  | ({ method: 'mocov2' } & MocoV2Config);

export type AnyMethod = SupervisedMethod | SimClrMethod | ByolMethod | SimSiamMethod | MocoV2Method;

/** Creates the method `cfg.method` around `backbone` (not owned); unknown names list the valid ones. */
export function createMethod(backbone: BackboneInput, cfg: MethodConfig): AnyMethod {
  switch (cfg.method) {
    case 'supervised':
      return createSupervised(backbone, cfg);
    case 'simclr':
      return createSimClr(backbone, cfg);
    case 'byol':
      return createByol(backbone, cfg);
    case 'simsiam':
      return createSimSiam(backbone, cfg);
    case 'mocov2':
      return createMocoV2(backbone, cfg);
    default: {
      const name = (cfg as { method: unknown }).method;
      throw new Error(`unknown method "${String(name)}"; valid: ${METHOD_NAMES.join(', ')}`);
    }
  }
}
/** The methods' own config object (what createMethod takes) from the run's method settings. */
export function toMethodConfig(m: MethodSettings): MethodConfig {
  return { ...m } as MethodConfig;
}
