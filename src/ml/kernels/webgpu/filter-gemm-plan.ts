/**
 * Tiling and split-K plan of the filter-gradient implicit GEMM (conv2d-backprop-filter.ts):
 * dW[M = kh·kw·Cin, N = Cout] = Σ_k A[k, m]·dy[k, n] over K = batch·outH·outW, where A is x read
 * through the convolution window (im2col, never materialised). Each workgroup computes a TM×TN
 * tile of one K-slice ("split"); with more than one split, a second pass sums the partial tiles
 * (WGSL has no float atomics). Pure arithmetic, no tfjs: unit-tested in Node.
 */

/** Invocations every layer carrying ≥ 1% of a step's FLOPs must launch (issue 12's goal). */
export const PARALLELISM_GOAL = 32768;
/**
 * Invocations split-K aims for: 4× the goal, so a layer whose own tiles just reach the goal still
 * gets a few slices (a large GPU keeps ~10⁵ invocations resident; the reduce pass stays small).
 */
export const TARGET_INVOCATIONS = 4 * PARALLELISM_GOAL;
/** Each split covers at least this many K tiles, so the reduce pass stays small next to the GEMM. */
export const MIN_TILES_PER_SPLIT = 4;
export const MAX_SPLITS = 1024;
/** Largest partial-sum buffer (bytes) split-K may allocate. */
export const MAX_PARTIAL_BYTES = 128 * 1024 * 1024;

export interface GemmPlan {
  m: number;
  n: number;
  k: number;
  /** Output tile of one workgroup (rows = filter positions m, columns = output channels n). */
  tileM: number;
  tileN: number;
  /** K rows staged in workgroup memory per step. */
  tileK: number;
  /** Outputs per invocation along m and n. */
  perThreadM: number;
  perThreadN: number;
  /** Workgroup shape: [tileN / perThreadN, tileM / perThreadM, 1]. */
  workgroupSize: [number, number, number];
  /** Number of K-slices; 1 means no partial buffer and no reduce pass. */
  splits: number;
  /** K tiles each split walks (the last split may read past K: those rows count as zero). */
  tilesPerSplit: number;
  /** Workgroups: [ceil(n / tileN), ceil(m / tileM), splits]. */
  dispatch: [number, number, number];
  /** Invocations launched by the GEMM pass. */
  invocations: number;
}

/**
 * Chooses tiles and splits for an m×n output summed over k. `forceSplits` (tests) fixes the split
 * count, still clamped to [1, number of K tiles].
 */
export function planFilterGemm(m: number, n: number, k: number, forceSplits?: number): GemmPlan {
  if (!(m > 0 && n > 0 && k > 0)) throw new Error(`planFilterGemm: empty GEMM ${m}×${n}×${k}`);
  // 16×16 invocations, each 1–4 × 1–4 outputs: the tile shrinks with a small M or N (stems, few
  // output channels) instead of idling invocations. 16 K rows per step, (64 + 64) · 16 floats = 8 KiB
  // of workgroup memory (32 rows ran no faster on SwiftShader and took 2–3× longer to compile there).
  const tileM = m <= 32 ? 32 : 64;
  const tileN = n <= 16 ? 16 : n <= 32 ? 32 : 64;
  const tileK = 16;
  const perThreadM = tileM / 16;
  const perThreadN = tileN / 16;
  const workgroupSize: [number, number, number] = [16, 16, 1];
  const threads = workgroupSize[0] * workgroupSize[1];
  const groupsX = Math.ceil(n / tileN);
  const groupsY = Math.ceil(m / tileM);
  const kTiles = Math.ceil(k / tileK);
  let splits: number;
  if (forceSplits != null) {
    splits = Math.max(1, Math.min(Math.floor(forceSplits), kTiles));
  } else {
    const wanted = Math.ceil(TARGET_INVOCATIONS / (groupsX * groupsY * threads));
    const byK = Math.max(1, Math.floor(kTiles / MIN_TILES_PER_SPLIT));
    const byMemory = Math.max(1, Math.floor(MAX_PARTIAL_BYTES / (m * n * 4)));
    splits = Math.max(1, Math.min(wanted, byK, byMemory, MAX_SPLITS));
  }
  const tilesPerSplit = Math.ceil(kTiles / splits);
  // No empty slices: recompute the count from the slice length.
  splits = Math.ceil(kTiles / tilesPerSplit);
  const dispatch: [number, number, number] = [groupsX, groupsY, splits];
  return {
    m,
    n,
    k,
    tileM,
    tileN,
    tileK,
    perThreadM,
    perThreadN,
    workgroupSize,
    splits,
    tilesPerSplit,
    dispatch,
    invocations: groupsX * groupsY * splits * threads,
  };
}

/**
 * Split count for a reduction of `outputs` independent sums of `k` terms each, one invocation per
 * (output, split): enough splits to reach TARGET_INVOCATIONS, each slice at least `minChunk` long.
 */
export function planSplitReduction(
  outputs: number,
  k: number,
  minChunk = 64,
  forceSplits?: number,
): { splits: number; chunk: number } {
  if (!(outputs > 0 && k > 0)) throw new Error(`planSplitReduction: empty ${outputs}×${k}`);
  let splits =
    forceSplits != null
      ? Math.max(1, Math.min(Math.floor(forceSplits), k))
      : Math.max(
          1,
          Math.min(
            Math.ceil(TARGET_INVOCATIONS / outputs),
            Math.floor(k / minChunk),
            Math.floor(MAX_PARTIAL_BYTES / (outputs * 4)),
            MAX_SPLITS,
          ),
        );
  const chunk = Math.ceil(k / splits);
  splits = Math.ceil(k / chunk);
  return { splits, chunk };
}
