/**
 * The explorer worker's interface as plain data (tfjs-free: the page's explorer client is typed by
 * it; projector.ts implements it).
 */
export interface TsneRequest {
  perplexity: number;
  /** A number, or 'auto' (max(n / 48, 50), sklearn). */
  learningRate: number | 'auto';
  iterations: number;
  /** Post the layout every this many iterations. */
  every: number;
  seed: number;
  /** Start from the previous t-SNE layout (same points) without early exaggeration. */
  warmStart?: boolean;
}

/** t-SNE of a sequence of embedding snapshots of the same points (fine-tuning evolution). */
export interface EvolutionRequest {
  perplexity: number;
  learningRate: number | 'auto';
  /** Iterations of the first snapshot's map (PCA init, early exaggeration). */
  iterations: number;
  /** Iterations of each later map, started from the previous map's layout without exaggeration. */
  iterationsPerFrame: number;
  seed: number;
}

/** One finished map of the evolution: snapshot `index` of `total`. */
export interface EvolutionFrame {
  index: number;
  total: number;
  xy: Float32Array;
  kl: number;
}

export interface UmapRequest {
  nNeighbors: number;
  minDist: number;
  epochs: number;
  every: number;
  seed: number;
}

/** A layout [n × 2] row-major, with where the optimisation stands. */
export interface Layout {
  xy: Float32Array;
  iteration: number;
  total: number;
  done: boolean;
  /** t-SNE's KL divergence at the latest check (NaN when not computed yet or not t-SNE). */
  kl: number;
  method: 'tsne' | 'pca' | 'umap';
  /** t-SNE only: milliseconds of its set-up phases (PCA to 50 dims, neighbour search, affinities). */
  setupMs?: { pca: number; neighbours: number; affinities: number };
}

export interface ProjectorApi {
  /** Hands over the embeddings [n × dim] (transferred); stops any running map. */
  load(x: Float32Array, n: number, dim: number): Promise<void>;
  /** Runs t-SNE; `onLayout` gets a copy every `every` iterations and at the end; resolves with the final layout. */
  tsne(req: TsneRequest, onLayout: (l: Layout) => void): Promise<Layout>;
  umap(req: UmapRequest, onLayout: (l: Layout) => void): Promise<Layout>;
  pca(): Promise<Layout>;
  /**
   * t-SNE of each snapshot [n × dim] in turn, each started from the previous one's layout so points
   * move smoothly; leaves the loaded embeddings alone. `onFrame` gets each finished layout; resolves
   * with every layout made (fewer when stopped).
   */
  evolution(
    frames: Float32Array[],
    n: number,
    dim: number,
    req: EvolutionRequest,
    onFrame: (f: EvolutionFrame) => void,
  ): Promise<Float32Array[]>;
  /** Stops the running map after its current chunk of iterations. */
  stop(): Promise<void>;
  /** The k nearest rows to row i by cosine similarity (i itself left out), best first. */
  neighbours(i: number, k: number): Promise<{ index: number; similarity: number }[]>;
}
