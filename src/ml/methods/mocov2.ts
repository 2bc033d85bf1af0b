/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020 "Improved baselines"): query encoder = backbone + 2-layer
 * MLP head, key encoder = its momentum copy (m = 0.999), a FIFO queue of K L2-normalised keys as
 * negatives, InfoNCE with τ = 0.2.
 */
import * as tf from '@tensorflow/tfjs';
import { infoNceLoss } from '../losses/infonce';
import { l2Normalize } from '../losses/l2-normalize';
import { mocoV2Head } from '../models/heads';
import { emaUpdate } from '../optim/momentum';
import { createRng } from '../rng';
import {
  asEncoder,
  cloneEncoder,
  cloneLayersModel,
  type BackboneInput,
  type Encoder,
} from './encoder';
import {
  BaseMethod,
  encoderPart,
  modelPart,
  requireViews,
  type MethodBatch,
  type Part,
  type StepInfo,
} from './method';
import { zStd } from './z-std';

export interface MocoV2Config {
  /** Queue length K (default 4096; paper 65536; must be ≥ batch size). */
  queueSize?: number;
  /** Key encoder momentum m (paper 0.999). */
  momentum?: number;
  /** InfoNCE temperature τ (MoCo v2: 0.2). */
  temperature?: number;
  /** Hidden width of the MLP head (default D). */
  headHiddenDim?: number;
  /** Key/query size (default 128, as the paper). */
  projectionDim?: number;
  /** Seed for the head and the initial queue (default 0). */
  seed?: number;
  /** Embedding size when the backbone's output shape does not tell it. */
  embeddingDim?: number;
}

/**
 * MoCo v2. Query from v1, key from v2 (key encoder in training mode, outside the tape). The key
 * encoder's momentum update and the enqueue of this step's keys happen in afterStep, after the
 * optimiser step — the same sequence as the paper's Algorithm 1, whose update at the start of step
 * t+1 uses the query weights left by step t. Without shuffling BN (one device) BN statistics are per
 * batch. extra: 'zStd' of the queries, 'accuracy' = fraction of queries whose top logit is the positive.
 */
export class MocoV2Method extends BaseMethod {
  readonly name = 'mocov2' as const;
  readonly batchKind = 'views' as const;
  readonly backbone: Encoder;
  readonly head: tf.Sequential;
  readonly keyBackbone: Encoder;
  readonly keyHead: tf.LayersModel;
  readonly momentum: number;
  readonly temperature: number;
  readonly queueSize: number;
  /** [K,D] normalised keys; row `queuePtr` is the next to be overwritten. */
  readonly queue: tf.Variable<tf.Rank.R2>;
  #ptr = 0;
  #keys: tf.Tensor2D | null = null;

  constructor(backbone: BackboneInput, cfg: MocoV2Config = {}) {
    super();
    this.backbone = asEncoder(backbone, cfg.embeddingDim);
    const d = this.backbone.dim;
    const rng = createRng(cfg.seed ?? 0);
    const projDim = cfg.projectionDim ?? 128;
    this.head = mocoV2Head(d, { hiddenDim: cfg.headHiddenDim ?? d, outDim: projDim }, rng);
    this.keyBackbone = cloneEncoder(this.backbone, this.name);
    this.keyHead = cloneLayersModel(this.head);
    this.momentum = cfg.momentum ?? 0.999;
    this.temperature = cfg.temperature ?? 0.2;
    this.queueSize = cfg.queueSize ?? 4096;
    // Queue starts as random unit vectors (the paper's randn, normalised), drawn from the seeded Rng.
    const init = new Float32Array(this.queueSize * projDim);
    for (let i = 0; i < init.length; i++) init[i] = rng.normal();
    this.queue = tf.tidy(() =>
      tf.variable(l2Normalize(tf.tensor2d(init, [this.queueSize, projDim])), false),
    );
  }

  get queuePtr(): number {
    return this.#ptr;
  }

  protected onlineParts(): Part[] {
    return [encoderPart('backbone', this.backbone), modelPart('head', this.head)];
  }
  protected ownedParts(): Part[] {
    return [
      modelPart('head', this.head),
      encoderPart('keyBackbone', this.keyBackbone),
      modelPart('keyHead', this.keyHead),
    ];
  }

  protected override prepare(batch: MethodBatch): void {
    const { v2 } = requireViews(batch, this.name);
    if (v2.shape[0] > this.queueSize)
      throw new Error(`mocov2: batch ${v2.shape[0]} exceeds queue size ${this.queueSize}`);
    if (this.#keys) this.#keys.dispose();
    this.#keys = tf.tidy(() =>
      l2Normalize(
        this.keyHead.apply(this.keyBackbone.apply(v2, true), { training: true }) as tf.Tensor2D,
      ),
    );
  }

  protected computeLoss(
    batch: MethodBatch,
    _info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar {
    const { v1 } = requireViews(batch, this.name);
    if (!this.#keys) throw new Error('mocov2: keys missing (prepare not called)');
    const q = l2Normalize(
      this.head.apply(this.backbone.apply(v1, true), { training: true }) as tf.Tensor2D,
    );
    extra.zStd = tf.keep(zStd(q));
    extra.accuracy = tf.keep(
      tf.tidy(() => {
        const pos = tf.sum(tf.mul(q, this.#keys!), 1);
        const neg = tf.max(tf.matMul(q, this.queue, false, true), 1);
        return tf.mean(tf.cast(tf.greater(pos, neg), 'float32')) as tf.Scalar;
      }),
    );
    return infoNceLoss(q, this.#keys, this.queue, this.temperature);
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone.apply(x, false));
  }

  /** Momentum update θk ← mθk + (1−m)θq, then enqueue this step's keys (FIFO, wrapping around). */
  afterStep(_info: StepInfo): void {
    emaUpdate(
      this.keyBackbone.trainableVariables(),
      this.backbone.trainableVariables(),
      this.momentum,
    );
    emaUpdate(
      modelPart('k', this.keyHead).trainable(),
      modelPart('q', this.head).trainable(),
      this.momentum,
    );
    if (this.#keys) {
      this.#enqueue(this.#keys);
      this.#keys.dispose();
      this.#keys = null;
    }
    this.completedSteps += 1;
  }

  #enqueue(keys: tf.Tensor2D): void {
    const n = keys.shape[0];
    const k = this.queueSize;
    const ptr = this.#ptr;
    tf.tidy(() => {
      // Row r of the new queue is keys[(r − ptr) mod K] where that index is < n, else the old row.
      const rows: number[] = [];
      const fromKeys: boolean[] = [];
      for (let r = 0; r < k; r++) {
        const j = (r - ptr + k) % k;
        fromKeys.push(j < n);
        rows.push(j < n ? j : 0);
      }
      const gathered = tf.gather(keys, tf.tensor1d(rows, 'int32'));
      const mask = tf.tensor2d(
        fromKeys.map((b) => (b ? 1 : 0)),
        [k, 1],
        'bool',
      );
      this.queue.assign(tf.where(tf.broadcastTo(mask, this.queue.shape), gathered, this.queue));
    });
    this.#ptr = (ptr + n) % k;
  }

  protected override extraScalars(): Record<string, number> {
    return { queuePtr: this.#ptr };
  }
  protected override extraTensors(): Record<string, tf.Tensor> {
    return { queue: this.queue.clone() };
  }
  protected override loadExtra(
    scalars: Record<string, number>,
    tensors: Record<string, tf.Tensor>,
  ): void {
    const q = tensors.queue;
    if (!q || q.shape.join(',') !== this.queue.shape.join(',')) {
      throw new Error(
        `mocov2 state: queue must be [${this.queue.shape}], got ${q ? `[${q.shape}]` : 'nothing'}`,
      );
    }
    this.queue.assign(q as tf.Tensor2D);
    this.#ptr = (scalars.queuePtr ?? 0) % this.queueSize;
  }

  protected override release(): void {
    // Keys outlive the taped step (afterStep enqueues them); they are freed there or on dispose.
  }

  protected disposeOwned(): void {
    if (this.#keys) this.#keys.dispose();
    this.#keys = null;
    this.head.dispose();
    this.keyBackbone.dispose();
    this.keyHead.dispose();
    this.queue.dispose();
  }
}

/** Creates MoCo v2 around `backbone` (not owned; its key copy is). */
export function createMocoV2(backbone: BackboneInput, cfg: MocoV2Config = {}): MocoV2Method {
  return new MocoV2Method(backbone, cfg);
}
