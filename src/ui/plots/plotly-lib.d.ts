/** Types for the plotly.js/lib entry points used by ./plotly-bundle.ts (the package types only its root). */
declare module 'plotly.js/lib/core' {
  const Plotly: typeof import('plotly.js') & { register(modules: unknown[]): void };
  export default Plotly;
}
declare module 'plotly.js/lib/bar' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/lib/heatmap' {
  const trace: unknown;
  export default trace;
}
declare module 'plotly.js/lib/scattergl' {
  const trace: unknown;
  export default trace;
}
