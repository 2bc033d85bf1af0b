/**
 * Test and benchmark switches of simlab's WebGPU training kernels. Defaults are what training uses;
 * browser tests set them to exercise the split-K and fallback paths on tiny shapes.
 */
export const webgpuKernelOptions: {
  /** Fix the split-K count of the filter-gradient kernels (clamped to what K allows); undefined = planned. */
  forceSplits: number | undefined;
} = { forceSplits: undefined };
