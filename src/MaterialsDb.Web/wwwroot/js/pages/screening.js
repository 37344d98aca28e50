import { api, query } from '../api.js';
import { h, fill, page, count, num, withStd, duration, when, problemView } from '../dom.js';
import { loadPlotly, baseLayout, baseConfig } from '../plotly.js';
import { elementPicker, elementHeatmap } from '../periodic.js';

const FINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);
const PAGE = 50;

export async function render({ params: [id] }) {
  const view = page('Screening');
  let detail = await api(`/screenings/${id}`);
  const title = h('h1', {}, detail.summary.name, ' ', h('span', { class: `state ${detail.summary.state}`, id: 'state' }, detail.summary.state));
  const cancel = h('button', { type: 'button', id: 'cancel' }, 'Cancel');
  const progress = h('section', { 'aria-labelledby': 'progress-h' });
  const explorer = h('section', { id: 'explorer' });
  view.append(title, h('p', { class: 'muted' }, `Submitted ${when(detail.summary.created)} · queue ${detail.summary.queue} · id ${id}`), cancel, progress, explorer);
  document.title = `${detail.summary.name} · MaterialsDb`;

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try { await api(`/screenings/${id}`, { method: 'DELETE' }); } catch (e) { progress.append(problemView(e)); }
  });

  // Live progress: polled every 1.5 s until the screening is final.
  for (;;) {
    drawProgress(progress, detail);
    cancel.hidden = FINAL.has(detail.summary.state);
    title.querySelector('#state').textContent = detail.summary.state;
    title.querySelector('#state').className = `state ${detail.summary.state}`;
    if (FINAL.has(detail.summary.state)) break;
    await new Promise(r => setTimeout(r, 1500));
    detail = await api(`/screenings/${id}`);
  }
  if (detail.summary.state === 'Succeeded') await drawExplorer(explorer, id, detail.summary.name);
}

function drawProgress(section, d) {
  const p = d.progress;
  const s = d.summary;
  section.replaceChildren(
    h('h2', { id: 'progress-h' }, 'Progress'),
    h('p', {},
      h('progress', { max: 1, value: p.fraction, 'aria-label': `${Math.round(p.fraction * 100)} % screened` }),
      ` ${Math.round(p.fraction * 100)} % · ${count(p.candidates_processed)} of ${count(p.candidates)} candidates · chunks ${p.chunks_done}/${p.chunks} · ${count(p.survivors)} survivors`,
      p.eta_seconds !== null && p.eta_seconds !== undefined ? ` · about ${duration(p.eta_seconds)} left` : ''),
    s.error ? h('p', { role: 'alert', class: 'error' }, s.error) : null,
    d.stages.length ? h('table', { id: 'funnel', class: 'funnel' },
      h('caption', { class: 'muted' }, 'Candidates that passed each stage of the cascade'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Stage'), h('th', { class: 'num', scope: 'col' }, 'Passed'), h('th', { scope: 'col' }, 'Share of the screened'), h('th', { class: 'num', scope: 'col' }, 'Thread time (s)'))),
      h('tbody', {}, d.stages.map(st => {
        const share = p.candidates_processed ? st.passed / p.candidates_processed : 0;
        return h('tr', {}, h('td', {}, st.stage), h('td', { class: 'num' }, count(st.passed)),
          h('td', {}, h('progress', { max: 1, value: share, 'aria-label': `${st.stage}: ${num(share * 100)} %` }), ` ${num(share * 100)} %`),
          h('td', { class: 'num' }, num(st.thread_seconds)));
      }))) : null);
}

// ---- The results explorer: its state lives in the address, so a filtered view can be bookmarked and shared. ----

function readState() {
  const q = new URLSearchParams(location.search);
  return {
    sort: q.get('sort') ?? '', order: q.get('order') ?? 'asc', offset: Number(q.get('offset') ?? 0),
    range: q.getAll('range'), include: q.get('include') ?? '', exclude: q.get('exclude') ?? '',
    tab: q.get('tab') ?? 'table', x: q.get('x') ?? '', y: q.get('y') ?? '', top: Number(q.get('top') ?? 100),
  };
}

function writeState(state) {
  const { sort, order, offset, range, include, exclude, tab, x, y, top } = state;
  history.replaceState(null, '', location.pathname + query({ sort, order: sort ? order : '', offset: offset || '', range, include, exclude, tab: tab === 'table' ? '' : tab, x, y, top: top === 100 ? '' : top }));
}

const filterParams = s => ({ range: s.range, include: s.include, exclude: s.exclude });

async function drawExplorer(section, id, name) {
  const schema = await api(`/screenings/${id}/columns`);
  const state = readState();
  const byName = new Map(schema.columns.map(c => [c.name, c]));
  const stds = new Set(schema.columns.map(c => c.std).filter(Boolean));
  const numeric = schema.columns.filter(c => ['number', 'integer', 'boolean'].includes(c.kind) && c.min !== null && !stds.has(c.name));
  const shown = schema.columns.filter(c => !stds.has(c.name) && c.name !== 'fractions' && !(['number', 'integer'].includes(c.kind) && c.min === null));

  const status = h('p', { id: 'matching', 'aria-live': 'polite' });
  const tableHolder = h('div', { class: 'scroll', id: 'results-table' });
  const pager = h('div', { class: 'pager' });
  const plotHolder = h('div', { id: 'scatter-panel' });
  const heatHolder = h('div', { id: 'elements-panel' });
  const downloads = h('p', { class: 'downloads', id: 'downloads' });
  const tabs = ['table', 'scatter', 'elements'];
  const tabButtons = tabs.map(t => h('button', { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-controls': `panel-${t}` }, { table: 'Table', scatter: 'Scatter plot', elements: 'Element heatmap' }[t]));
  const panels = { table: h('div', { role: 'tabpanel', id: 'panel-table' }, tableHolder, pager), scatter: h('div', { role: 'tabpanel', id: 'panel-scatter' }, plotHolder), elements: h('div', { role: 'tabpanel', id: 'panel-elements' }, heatHolder) };

  // Filters: a range per chosen numeric column (two sliders and two number fields), and the periodic table.
  const ranges = h('div', { id: 'ranges' });
  const addRange = h('select', { id: 'add-range', 'aria-label': 'Add a range filter on a column' },
    h('option', { value: '' }, '+ range on a column…'), numeric.map(c => h('option', { value: c.name }, label(c))));
  const rangeState = new Map(state.range.map(r => { const [c, lo, hi] = r.split(':'); return [c, [lo, hi]]; }));
  let debounce = null;
  const changed = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.range = [...rangeState].map(([c, [lo, hi]]) => `${c}:${lo}:${hi}`);
      state.offset = 0;
      refresh();
    }, 250);
  };
  const drawRange = column => {
    const c = byName.get(column);
    const [lo, hi] = rangeState.get(column);
    const step = c.kind === 'number' ? (c.max - c.min) / 200 || 0.001 : 1;
    const key = column.replace(/[^a-z0-9_]/gi, '_');
    const minSlider = h('input', { type: 'range', min: c.min, max: c.max, step, value: lo === '' ? c.min : lo, 'aria-label': `${column} minimum`, id: `range-${key}-min` });
    const maxSlider = h('input', { type: 'range', min: c.min, max: c.max, step, value: hi === '' ? c.max : hi, 'aria-label': `${column} maximum`, id: `range-${key}-max` });
    const minField = h('input', { type: 'number', step: 'any', value: lo, placeholder: num(c.min), 'aria-label': `${column} minimum value`, id: `range-${key}-min-value` });
    const maxField = h('input', { type: 'number', step: 'any', value: hi, placeholder: num(c.max), 'aria-label': `${column} maximum value`, id: `range-${key}-max-value` });
    const set = (a, b) => { rangeState.set(column, [a, b]); changed(); };
    minSlider.addEventListener('input', () => { minField.value = minSlider.value; set(minSlider.value, maxField.value); });
    maxSlider.addEventListener('input', () => { maxField.value = maxSlider.value; set(minField.value, maxSlider.value); });
    minField.addEventListener('change', () => { if (minField.value !== '') minSlider.value = minField.value; set(minField.value, maxField.value); });
    maxField.addEventListener('change', () => { if (maxField.value !== '') maxSlider.value = maxField.value; set(minField.value, maxField.value); });
    const remove = h('button', { type: 'button', 'aria-label': `Remove the ${column} range`, onclick: () => { rangeState.delete(column); block.remove(); changed(); } }, '×');
    const block = h('div', { class: 'range', 'data-column': column }, h('div', { class: 'name' }, label(c), remove), minSlider, maxSlider, minField, maxField);
    ranges.append(block);
  };
  [...rangeState.keys()].filter(c => byName.has(c)).forEach(drawRange);
  addRange.addEventListener('change', () => {
    const column = addRange.value;
    addRange.value = '';
    if (!column || rangeState.has(column)) return;
    rangeState.set(column, ['', '']);
    drawRange(column);
  });
  const picker = elementPicker({
    include: state.include ? state.include.split(',') : [], exclude: state.exclude ? state.exclude.split(',') : [], label: 'Elements',
    onChange: ({ include, exclude }) => { state.include = include.join(','); state.exclude = exclude.join(','); state.offset = 0; refresh(); },
  });

  section.replaceChildren(
    h('h2', {}, 'Results'),
    h('div', { class: 'explorer' },
      h('aside', { class: 'panel', 'aria-label': 'Filters' },
        h('h3', {}, 'Filter'), ranges, addRange,
        h('h3', {}, 'Elements'), h('p', { class: 'muted' }, 'Click once: must contain (+); twice: must not contain (−).'), picker,
        h('h3', {}, 'Download'), downloads),
      h('div', {}, status, h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views of the result' }, tabButtons), ...Object.values(panels))));

  tabButtons.forEach((b, i) => b.addEventListener('click', () => { state.tab = tabs[i]; refresh(); }));

  async function refresh() {
    writeState(state);
    tabs.forEach((t, i) => { tabButtons[i].setAttribute('aria-selected', String(state.tab === t)); panels[t].hidden = state.tab !== t; });
    drawDownloads();
    try {
      if (state.tab === 'table') await drawTable();
      else if (state.tab === 'scatter') await drawScatter();
      else await drawElements();
    } catch (e) {
      status.replaceChildren(problemView(e));
    }
  }

  function drawDownloads() {
    const base = `/api/v1/screenings/${id}/results`;
    const subset = query({ ...filterParams(state), sort: state.sort, order: state.sort ? state.order : '' });
    fill(downloads,
      h('span', {}, 'Whole result: '), ['parquet', 'csv', 'json'].map(f => h('a', { href: `${base}?format=${f}`, download: '', id: `download-all-${f}` }, f.toUpperCase())),
      h('br'),
      h('span', {}, 'This view (filtered, sorted): '), ['parquet', 'csv', 'json'].map(f => h('a', { href: `${base}${subset ? subset + '&' : '?'}format=${f}`, download: '', id: `download-view-${f}` }, f.toUpperCase())));
  }

  async function drawTable() {
    const r = await api(`/screenings/${id}/rows` + query({ ...filterParams(state), sort: state.sort, order: state.sort ? state.order : '', offset: state.offset, limit: PAGE }));
    status.textContent = `${count(r.matching)} of ${count(r.total_rows)} candidates match; rows ${r.matching ? count(state.offset + 1) : 0}–${count(state.offset + r.data.length)}.`;
    const header = shown.map(c => {
      const sortable = ['number', 'integer', 'boolean'].includes(c.kind);
      const sorted = state.sort === c.name || (!state.sort && c.name === 'rank');
      const dir = sorted ? (state.sort ? state.order : 'asc') : null;
      const th = h('th', { scope: 'col', class: sortable ? 'num' : '', 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : null },
        sortable ? h('button', {
          type: 'button', class: 'sort', 'data-column': c.name,
          onclick: () => { state.order = state.sort === c.name && state.order === 'asc' ? 'desc' : 'asc'; state.sort = c.name; state.offset = 0; refresh(); },
        }, c.name, dir ? (dir === 'asc' ? ' ▲' : ' ▼') : '') : c.name,
        c.unit ? h('span', { class: 'unit' }, c.unit) : null);
      return th;
    });
    tableHolder.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, header)),
      h('tbody', {}, r.data.map(row => h('tr', {}, shown.map(c => cell(c, row, id)))))));
    pager.replaceChildren(
      h('button', { type: 'button', id: 'previous', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); } }, '← Previous'),
      h('button', { type: 'button', id: 'next', disabled: state.offset + PAGE >= r.matching, onclick: () => { state.offset += PAGE; refresh(); } }, 'Next →'));
  }

  async function drawScatter() {
    const plottable = numeric.filter(c => c.kind !== 'boolean' && c.name !== 'rank');
    state.x ||= plottable.find(c => c.name === 'e_above_hull')?.name ?? plottable[0]?.name ?? '';
    state.y ||= plottable.find(c => c.name !== state.x && schema.models[c.name])?.name ?? plottable.find(c => c.name !== state.x)?.name ?? '';
    const goal = c => (/e_above_hull|hhi|e_form|std/.test(c) ? 'min' : 'max');
    const pick = (axis, value) => h('select', { id: `axis-${axis}`, 'aria-label': `${axis} axis column`, onchange: e => { state[axis] = e.target.value; refresh(); } },
      plottable.map(c => h('option', { value: c.name, selected: c.name === value }, label(c))));
    const goals = {};
    for (const axis of ['x', 'y']) {
      goals[axis] = h('select', { id: `goal-${axis}`, 'aria-label': `Better ${axis}: lower or higher`, onchange: () => drawScatter() },
        ['min', 'max'].map(g => h('option', { value: g, selected: g === goal(state[axis]) }, g === 'min' ? 'lower is better' : 'higher is better')));
    }
    const plot = h('div', { class: 'plot', id: 'scatter', role: 'figure', 'aria-label': `Scatter plot of ${state.y} against ${state.x}` });
    plotHolder.replaceChildren(h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'axis-x' }, 'x'), pick('x', state.x), goals.x),
      h('div', { class: 'field' }, h('label', { for: 'axis-y' }, 'y'), pick('y', state.y), goals.y)), plot);
    writeState(state);
    const [Plotly, d] = await Promise.all([loadPlotly(), api(`/screenings/${id}/plot` + query({ ...filterParams(state), x: state.x, y: state.y, x_goal: goals.x.value, y_goal: goals.y.value, points: 5000 }))]);
    status.textContent = `${count(d.matching)} candidates match; the plot shows the best-ranked ${count(d.points.x.length)} and the whole Pareto front (${count(d.pareto.x.length)}).`;
    const unit = c => (byName.get(c).unit ? ` (${byName.get(c).unit})` : '');
    const hover = s => s.formula.map((f, i) => `<b>${f}</b> (rank ${s.rank[i]})<br>${d.x} = ${withStd(s.x[i], s.x_std?.[i])}<br>${d.y} = ${withStd(s.y[i], s.y_std?.[i])}<extra></extra>`);
    const errors = (values) => (values ? { type: 'data', array: values.map(v => v ?? 0), visible: true, thickness: 1, color: 'rgba(11,92,173,0.35)' } : undefined);
    await Plotly.react(plot, [
      { type: 'scatter', mode: 'markers', name: 'candidates', x: d.points.x, y: d.points.y, customdata: d.points.rank,
        error_x: errors(d.points.x_std), error_y: errors(d.points.y_std), marker: { size: 6, color: 'rgba(11,92,173,0.6)' }, hovertemplate: hover(d.points) },
      { type: 'scatter', mode: 'lines+markers', name: 'Pareto front', x: d.pareto.x, y: d.pareto.y, customdata: d.pareto.rank,
        marker: { size: 10, symbol: 'diamond', color: '#d1242f' }, line: { color: '#d1242f', shape: 'hv' }, hovertemplate: hover(d.pareto) },
    ], { ...baseLayout, height: 520, xaxis: { title: { text: d.x + unit(d.x) } }, yaxis: { title: { text: d.y + unit(d.y) } }, legend: { orientation: 'h', y: -0.15 } }, baseConfig);
    plot.removeAllListeners?.('plotly_click');
    plot.on('plotly_click', e => { const rank = e.points?.[0]?.customdata; if (rank) location.assign(`/screenings/${id}/candidates/${rank}`); });
  }

  async function drawElements() {
    const topField = h('input', { type: 'number', id: 'top-n', min: 1, value: state.top, 'aria-label': 'Top N candidates' });
    topField.addEventListener('change', () => { state.top = Math.max(1, Number(topField.value) || 100); refresh(); });
    const plot = h('div', { class: 'plot', id: 'heatmap', role: 'figure', 'aria-label': 'Periodic table coloured by how many top candidates contain each element' });
    heatHolder.replaceChildren(h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'top-n' }, 'Top N candidates (by rank, after the filters)'), topField)), plot);
    const d = await api(`/screenings/${id}/elements` + query({ ...filterParams(state), top: state.top }));
    status.textContent = `Element frequency among the top ${count(d.top)} candidates that match.`;
    await elementHeatmap(plot, d.counts, d.top);
  }

  await refresh();
}

function label(c) { return c.unit ? `${c.name} (${c.unit})` : c.name; }

function cell(c, row, id) {
  const v = row[c.name];
  if (c.name === 'formula') return h('td', {}, h('a', { href: `/screenings/${id}/candidates/${row.rank}` }, v));
  if (c.kind === 'list') return h('td', {}, v ? v.map(p => `${p.formula} (${num(p.fraction)})`).join(' + ') : '—');
  if (c.kind === 'boolean') return h('td', { class: 'num' }, v === null ? '—' : v ? 'yes' : 'no');
  if (c.kind === 'number' || c.kind === 'integer') return h('td', { class: 'num' }, withStd(v, c.std ? row[c.std] : null));
  return h('td', {}, v ?? '—');
}
