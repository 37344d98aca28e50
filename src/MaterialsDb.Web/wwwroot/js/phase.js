import { h, num } from './dom.js';
import { loadPlotly, baseLayout, baseConfig } from './plotly.js';

/** Atomic fractions of a formula without brackets (reduced formulas as the API writes them): "Li2O" → {Li: 2/3, O: 1/3}. */
export function fractions(formula) {
  const amounts = {};
  let total = 0;
  for (const [, symbol, n] of formula.matchAll(/([A-Z][a-z]?)(\d*\.?\d*)/g)) {
    const a = n === '' ? 1 : Number(n);
    amounts[symbol] = (amounts[symbol] ?? 0) + a;
    total += a;
  }
  for (const k of Object.keys(amounts)) amounts[k] /= total;
  return amounts;
}

/**
 * Draws the phase diagram of a hull (GET /hull/{chemsys}) into container: binary = formation energy against
 * composition with the hull line; ternary = Gibbs triangle with stable phases and tie lines; otherwise the table of
 * stable phases. candidate (optional): {formula, eForm, eFormStd, eAboveHull, decomposition: [{formula, fraction}]}.
 */
export async function phaseDiagram(container, hull, candidate) {
  const elements = hull.chemsys.split('-');
  const stableIds = new Set(hull.stable.map(e => e.id));
  const unstable = hull.entries.filter(e => !stableIds.has(e.id));
  container.replaceChildren();
  const caption = h('p', { class: 'muted' },
    `${hull.stable.length} stable phases and ${unstable.length} other entries of ${hull.chemsys}, scheme ${hull.scheme}, database version ${hull.database_version}.`);
  if (elements.length === 2 || elements.length === 3) {
    const plot = h('div', { class: 'plot', role: 'figure', 'aria-label': `Phase diagram of ${hull.chemsys}` });
    container.append(caption, plot);
    const Plotly = await loadPlotly();
    if (elements.length === 2) await binary(Plotly, plot, elements, hull, unstable, candidate);
    else await ternary(Plotly, plot, elements, hull, unstable, candidate);
  } else {
    container.append(caption);
  }
  container.append(stableTable(hull), candidate?.decomposition ? decompositionTable(candidate) : null);
}

const hover = e => `${e.reduced_formula}<br>E<sub>f</sub> = ${num(e.e_form_per_atom)} eV/atom<br>E above hull = ${num(e.e_above_hull)} eV/atom<br>${e.id}<extra></extra>`;

async function binary(Plotly, plot, [a, b], hull, unstable, candidate) {
  const x = e => fractions(e.reduced_formula)[b] ?? 0;
  const stable = [...hull.stable].sort((p, q) => x(p) - x(q));
  const traces = [
    { type: 'scatter', mode: 'lines+markers+text', name: 'stable phases (hull)', x: stable.map(x), y: stable.map(e => e.e_form_per_atom),
      text: stable.map(e => e.reduced_formula), textposition: 'bottom center', marker: { size: 10, color: '#0b5cad' },
      line: { color: '#0b5cad' }, hovertemplate: stable.map(hover) },
    { type: 'scatter', mode: 'markers', name: 'other known entries', x: unstable.map(x), y: unstable.map(e => e.e_form_per_atom),
      marker: { size: 7, symbol: 'circle-open', color: '#57606a' }, hovertemplate: unstable.map(hover) },
  ];
  if (candidate) {
    const cx = fractions(candidate.formula)[b] ?? 0;
    traces.push({ type: 'scatter', mode: 'markers+text', name: 'this candidate (predicted)', x: [cx], y: [candidate.eForm],
      text: [candidate.formula], textposition: 'top center', marker: { size: 16, symbol: 'star', color: '#d1242f' },
      error_y: candidate.eFormStd ? { type: 'data', array: [candidate.eFormStd], visible: true, color: '#d1242f' } : undefined,
      hovertemplate: `${candidate.formula} (predicted)<br>E<sub>f</sub> = ${num(candidate.eForm)} eV/atom<br>E above hull = ${num(candidate.eAboveHull)} eV/atom<extra></extra>` });
  }
  await Plotly.react(plot, traces, {
    ...baseLayout, height: 460,
    xaxis: { title: { text: `x in ${a}<sub>1−x</sub>${b}<sub>x</sub> (atomic fraction of ${b})` }, range: [-0.03, 1.03] },
    yaxis: { title: { text: 'Formation energy (eV/atom)' } }, legend: { orientation: 'h', y: -0.2 },
  }, baseConfig);
}

async function ternary(Plotly, plot, [a, b, c], hull, unstable, candidate) {
  const abc = e => { const f = fractions(e.reduced_formula ?? e.formula); return [f[a] ?? 0, f[b] ?? 0, f[c] ?? 0]; };
  const byId = new Map(hull.stable.map(e => [e.id, e]));
  const tie = { a: [], b: [], c: [] };
  const seen = new Set();
  for (const facet of hull.facets ?? []) {
    for (let i = 0; i < facet.length; i++) {
      for (let j = i + 1; j < facet.length; j++) {
        const key = [facet[i], facet[j]].sort().join('|');
        if (seen.has(key) || !byId.has(facet[i]) || !byId.has(facet[j])) continue;
        seen.add(key);
        for (const id of [facet[i], facet[j]]) {
          const [p, q, r] = abc(byId.get(id));
          tie.a.push(p); tie.b.push(q); tie.c.push(r);
        }
        tie.a.push(null); tie.b.push(null); tie.c.push(null);
      }
    }
  }
  const series = (list, extra) => ({ a: list.map(e => abc(e)[0]), b: list.map(e => abc(e)[1]), c: list.map(e => abc(e)[2]), ...extra });
  const traces = [
    { type: 'scatterternary', mode: 'lines', name: 'tie lines', ...tie, line: { color: '#8c959f', width: 1 }, hoverinfo: 'skip', connectgaps: false },
    series(unstable, { type: 'scatterternary', mode: 'markers', name: 'other known entries', marker: { size: 6, symbol: 'circle-open', color: '#57606a' }, hovertemplate: unstable.map(hover) }),
    series(hull.stable, { type: 'scatterternary', mode: 'markers+text', name: 'stable phases', text: hull.stable.map(e => e.reduced_formula), textposition: 'top center', cliponaxis: false, marker: { size: 10, color: '#0b5cad' }, hovertemplate: hull.stable.map(hover) }),
  ];
  if (candidate) {
    traces.push(series([candidate], { type: 'scatterternary', mode: 'markers+text', name: 'this candidate (predicted)', text: [candidate.formula], textposition: 'bottom center',
      marker: { size: 16, symbol: 'star', color: '#d1242f' },
      hovertemplate: `${candidate.formula} (predicted)<br>E above hull = ${num(candidate.eAboveHull)} eV/atom<extra></extra>` }));
  }
  await Plotly.react(plot, traces, {
    ...baseLayout, height: 560,
    ternary: { sum: 1, aaxis: { title: { text: a } }, baxis: { title: { text: b } }, caxis: { title: { text: c } } },
    legend: { orientation: 'h', y: -0.1 },
  }, baseConfig);
}

function stableTable(hull) {
  return h('div', {},
    h('h3', {}, 'Stable phases'),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Formula'), h('th', { class: 'num' }, 'Formation energy', h('span', { class: 'unit' }, 'eV/atom')), h('th', {}, 'Entry'))),
      h('tbody', {}, hull.stable.map(e => h('tr', {},
        h('td', {}, e.reduced_formula), h('td', { class: 'num' }, num(e.e_form_per_atom)),
        // Elemental references (formation energy 0 by definition) are not database entries.
        h('td', {}, e.id.startsWith('mdb-') ? h('a', { href: `/materials/${encodeURIComponent(e.id)}` }, e.id) : 'elemental reference'))))));
}

function decompositionTable(candidate) {
  return h('div', {},
    h('h3', {}, `Decomposition of ${candidate.formula}`),
    candidate.decomposition.length === 0 ? h('p', {}, 'None: it is on the hull.') :
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Phase'), h('th', { class: 'num' }, 'Fraction of atoms'))),
        h('tbody', {}, candidate.decomposition.map(p => h('tr', {}, h('td', {}, p.formula), h('td', { class: 'num' }, num(p.fraction)))))));
}
