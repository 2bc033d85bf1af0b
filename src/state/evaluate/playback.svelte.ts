/**
 * The fine-tuning evolution: t-SNE maps of a fine-tune's embedding snapshots, each started from the
 * previous one's layout, and a player that steps through them. Latest request wins.
 */
import { normalizeLayout } from '../../worker/api';
import type { EvalContext } from './context';
import type { Explorer } from './explorer.svelte';
import { snapshotPoints } from './explorer-points';
import { Latest } from './latest';
import { nextFrame, playStart } from './playback-frames';
import type { Evolution, EvolutionSource } from './types';

export class Playback {
  readonly #ctx: EvalContext;
  readonly #explorer: Explorer;
  readonly #requests = new Latest();
  #timer: ReturnType<typeof setInterval> | null = null;

  /** Fine-tunes with embedding snapshots (latest 3), and the evolution maps made from one of them. */
  sources = $state.raw<EvolutionSource[]>([]);
  evolution = $state.raw<Evolution | null>(null);
  frame = $state(0);
  evolving = $state(false);
  playing = $state(false);
  iterations = $state(500);
  frameIterations = $state(150);

  /** The explorer lends its worker and its t-SNE perplexity and learning rate. */
  constructor(ctx: EvalContext, explorer: Explorer) {
    this.#ctx = ctx;
    this.#explorer = explorer;
  }

  /** Keeps a fine-tune's snapshots (replacing one with the same key; the latest 3 stay). */
  addSource(src: EvolutionSource): void {
    this.sources = [...this.sources.filter((s) => s.key !== src.key), src].slice(-3);
  }

  /** t-SNE maps of a fine-tune's snapshots (by key, else the latest); the slider then switches between them. */
  async compute(key?: string): Promise<void> {
    const src = this.sources.find((s) => s.key === key) ?? this.sources.at(-1);
    if (!src) return;
    const latest = this.#requests.next();
    this.pause();
    const s = src.snapshots;
    this.evolution = {
      key: src.key,
      label: src.label,
      epochs: s.epochs,
      layouts: [],
      points: snapshotPoints(src),
    };
    this.frame = 0;
    this.evolving = true;
    this.#ctx.error = null;
    try {
      await this.#explorer.projector.evolution(
        s.x,
        s.n,
        s.dim,
        {
          perplexity: this.#explorer.perplexity,
          learningRate: this.#explorer.tsneLr,
          iterations: this.iterations,
          iterationsPerFrame: this.frameIterations,
          seed: 0,
        },
        (f) => {
          if (!latest() || !this.evolution) return;
          this.evolution = {
            ...this.evolution,
            layouts: [...this.evolution.layouts, normalizeLayout(f.xy)],
          };
        },
      );
    } catch (e) {
      if (latest()) this.#ctx.error = (e as Error).message;
    } finally {
      if (latest()) this.evolving = false;
    }
  }

  /** Plays the evolution from the current frame (wrapping to the start at the end), one frame per `ms`. */
  play(ms = 700): void {
    const start = playStart(this.frame, this.evolution?.layouts.length ?? 0);
    if (start === null) return;
    this.pause();
    this.frame = start;
    this.playing = true;
    this.#timer = setInterval(() => {
      const next = nextFrame(this.frame, this.evolution?.layouts.length ?? 0);
      if (next === null) this.pause();
      else this.frame = next;
    }, ms);
  }

  pause(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.playing = false;
  }
}
