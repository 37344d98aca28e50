// Plotly is large (4.8 MB, 1.4 MB compressed): loaded only by pages that draw a plot, once.
let loading = null;

export function loadPlotly() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/app/vendor/plotly.min.js';
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error('the plotting library did not load'));
    document.head.append(script);
  });
  return loading;
}

/** Common layout: readable fonts, room for axis titles, responsive. */
export const baseLayout = { margin: { l: 70, r: 20, t: 30, b: 60 }, font: { family: 'system-ui, sans-serif', size: 13 }, hovermode: 'closest' };
export const baseConfig = { responsive: true, displaylogo: false };
