/**
 * The page's handle on the explorer worker (a second comlink endpoint beside the engine's):
 * layout callbacks are wrapped with Comlink.proxy, embeddings are transferred in.
 */
import * as Comlink from 'comlink';
import type {
  EvolutionFrame,
  EvolutionRequest,
  Layout,
  ProjectorApi,
  TsneRequest,
  UmapRequest,
} from './eval/projector-types';

export type { EvolutionFrame, EvolutionRequest, Layout, TsneRequest, UmapRequest };

export interface ProjectorClient {
  load(x: Float32Array, n: number, dim: number): Promise<void>;
  tsne(req: TsneRequest, onLayout: (l: Layout) => void): Promise<Layout>;
  umap(req: UmapRequest, onLayout: (l: Layout) => void): Promise<Layout>;
  pca(): Promise<Layout>;
  /** Snapshots are copied (the page keeps them to recompute with other settings). */
  evolution(
    frames: Float32Array[],
    n: number,
    dim: number,
    req: EvolutionRequest,
    onFrame: (f: EvolutionFrame) => void,
  ): Promise<Float32Array[]>;
  stop(): Promise<void>;
  neighbours(i: number, k: number): Promise<{ index: number; similarity: number }[]>;
  terminate(): void;
}

export function createProjectorClient(): ProjectorClient {
  const worker = new Worker(new URL('./tsne.worker.ts', import.meta.url), {
    type: 'module',
    name: 'simlab-tsne',
  });
  const remote = Comlink.wrap<ProjectorApi>(worker);
  return {
    load: (x, n, dim) => remote.load(Comlink.transfer(x, [x.buffer as ArrayBuffer]), n, dim),
    tsne: (req, onLayout) => remote.tsne(req, Comlink.proxy(onLayout)),
    umap: (req, onLayout) => remote.umap(req, Comlink.proxy(onLayout)),
    pca: () => remote.pca(),
    evolution: (frames, n, dim, req, onFrame) =>
      remote.evolution(frames, n, dim, req, Comlink.proxy(onFrame)),
    stop: () => remote.stop(),
    neighbours: (i, k) => remote.neighbours(i, k),
    terminate: () => worker.terminate(),
  };
}
