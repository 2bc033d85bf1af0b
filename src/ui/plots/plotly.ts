/**
 * Lazy plotly loader: the ~1.5 MB bundle is fetched from this app only when a chart is first shown.
 */
type PlotlyLike = {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
};

let loading: Promise<PlotlyLike> | null = null;

export function loadPlotly(): Promise<PlotlyLike> {
  loading ??= import('plotly.js-dist-min').then((m) => ((m as { default?: unknown }).default ?? m) as PlotlyLike);
  return loading;
}
