/**
 * The plotly build this app draws with: plotly's core (which carries `scatter`) plus only the
 * trace types the charts in this folder use — `scattergl` (ScatterGl), `bar` (BarChart,
 * Histogram) and `heatmap` (Heatmap). A chart needing another trace type registers it here.
 * Loaded lazily through `loadPlotly` in ./plotly.ts, never imported directly.
 */
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import heatmap from 'plotly.js/lib/heatmap';
import scattergl from 'plotly.js/lib/scattergl';

Plotly.register([bar, heatmap, scattergl]);

export default Plotly;
