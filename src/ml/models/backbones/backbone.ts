/**
 * What every backbone factory returns, and the batch-norm options they share.
 */
import type * as tf from '@tensorflow/tfjs';

export { bnFields, inputSizeField, seedField } from './config-schema';

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
