/**
 * What every backbone factory returns, and the batch-norm options they share.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

export interface Backbone<C extends { name: string } = { name: string }> {
  /** Input [N, inputSize, inputSize, 3] → embedding [N, embeddingDim] (global average pool output). Caller disposes. */
  model: tf.LayersModel;
  embeddingDim: number;
  name: C['name'];
  /** The fully defaulted config it was built from (JSON-serialisable; rebuilds the same model). */
  config: C;
}

export interface BuildOptions {
  /**
   * Fill conv kernels with seeded Kaiming-normal values (default true). Pass false when weights
   * are loaded right after (checkpoint, state_dict, target-network copy): saves ~1 s per 10 M
   * parameters; kernels and biases are then zeros, batch norms γ = 1, β = 0.
   */
  initWeights?: boolean;
  /**
   * The LayersModel's name (default: the backbone's). Two backbones nested in one tfjs model need
   * distinct names (tfjs requires unique layer names), e.g. 'online' and 'target'.
   */
  modelName?: string;
}

/** PyTorch's BatchNorm2d defaults: eps 1e-5, momentum 0.1 (PyTorch meaning, see TorchBatchNorm). */
export const bnFields = {
  bnMomentum: z.number().gt(0).lt(1).default(0.1),
  bnEpsilon: z.number().gt(0).default(1e-5),
};

/** Input side length in pixels (square RGB input). */
export const inputSizeField = z.number().int().min(8).max(512).default(32);
/** Seed for the weight initialisation (createRng). */
export const seedField = z.number().int().default(0);
