/**
 * Lazy plotly loader: the partial bundle (plotly-bundle.ts, ~1.5 MB, ~0.5 MB gzipped) is fetched
 * from this app only when a chart is first shown.
 */
type PlotlyLike = {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
};

let loading: Promise<PlotlyLike> | null = null;

export function loadPlotly(): Promise<PlotlyLike> {
  loading ??= import('./plotly-bundle').then(
    (m) => ((m as { default?: unknown }).default ?? m) as PlotlyLike,
  );
  return loading;
}

/**
 * Runs `draw` at most once every `ms` (trailing call kept), so live charts never block input.
 * `schedule()` from an effect; `cancel()` on destroy.
 */
export function throttled(
  draw: () => void,
  ms: () => number,
): { schedule(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = performance.now();
          draw();
        },
        Math.max(0, ms() - (performance.now() - last)),
      );
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
