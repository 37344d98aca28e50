import { api, query } from '../api.js';
import { h, page, num, problemView, count } from '../dom.js';
import { elementPicker } from '../periodic.js';

export async function render() {
  const view = page('Materials');
  const q = new URLSearchParams(location.search);
  const input = (id, text, attrs = {}) => h('div', { class: 'field' }, h('label', { for: id }, text), h('input', { id, name: id, value: q.get(id) ?? '', ...attrs }));
  let picked = { include: (q.get('elements') ?? '').split(',').filter(Boolean), exclude: [] };
  const form = h('form', { role: 'search', id: 'search' },
    h('div', { class: 'row' },
      input('formula', 'Formula', { placeholder: 'LiFePO4' }),
      input('chemsys', 'Chemical system', { placeholder: 'Li-Fe-P-O' }),
      input('e_form_per_atom_min', 'Formation energy from (eV/atom)', { type: 'number', step: 'any' }),
      input('e_form_per_atom_max', 'to (eV/atom)', { type: 'number', step: 'any' }),
      h('button', { type: 'submit', class: 'primary' }, 'Search')),
    h('p', { class: 'muted' }, 'Or pick elements that must all be present (a click marks +; exclusion is not a database query and is ignored):'),
    elementPicker({ include: picked.include, onChange: p => { picked = p; }, label: 'Elements present' }));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    location.assign('/materials' + query({ ...data, elements: picked.include.join(',') }));
  });
  const results = h('div', { id: 'materials-results', 'aria-live': 'polite' });
  view.append(h('h1', {}, 'Materials database'), form, results, contribute());
  if (![...q.keys()].length) return;
  try {
    const params = Object.fromEntries([...q].filter(([, v]) => v !== ''));
    const list = await api('/materials' + query({ ...params, limit: 100 }));
    const next = list.links.next ? new URL(list.links.next, location.origin).searchParams.get('cursor') : null;
    results.replaceChildren(
      h('p', {}, `${count(list.data.length)} entries on this page.`),
      h('div', { class: 'scroll' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Id', 'Formula', 'Formation energy (eV/atom)', 'Scheme', 'Source', 'Visibility', 'Owner'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, list.data.map(e => h('tr', {},
          h('td', {}, h('a', { href: `/materials/${encodeURIComponent(e.id)}` }, e.id)), h('td', {}, e.reduced_formula ?? e.formula),
          h('td', { class: 'num' }, num(e.e_form_per_atom)), h('td', {}, e.scheme), h('td', {}, e.source_kind), h('td', {}, e.visibility), h('td', {}, e.owner ?? '—')))))),
      next ? h('p', {}, h('a', { href: '/materials' + query({ ...params, cursor: next }) }, 'Next page')) : null);
  } catch (e) {
    results.replaceChildren(problemView(e));
  }
}

// Contributing a CSV: formula,e_form_per_atom plus optional columns; the whole file is stored or nothing.
function contribute() {
  const file = h('input', { type: 'file', id: 'contribution', accept: '.csv,text/csv' });
  const scheme = h('input', { id: 'scheme', value: 'mp2020' });
  const visibility = h('select', { id: 'visibility' }, ['private', 'cluster', 'public'].map(v => h('option', { value: v }, v)));
  const licence = h('input', { id: 'licence', value: 'CC-BY-4.0', 'aria-describedby': 'licence-help' });
  const reference = h('input', { id: 'reference', placeholder: 'DOI or a batch label' });
  const report = h('div', { 'aria-live': 'polite', id: 'contribution-report' });
  const send = h('button', { type: 'button' }, 'Contribute');
  send.addEventListener('click', async () => {
    if (!file.files.length) { report.replaceChildren(h('p', { role: 'alert', class: 'error' }, 'Choose a CSV file first.')); return; }
    send.disabled = true;
    try {
      const r = await api('/materials' + query({ scheme: scheme.value, visibility: visibility.value, licence: licence.value, reference: reference.value }), { method: 'POST', body: await file.files[0].text(), type: 'text/csv' });
      report.replaceChildren(h('p', {}, `Stored ${count(r.count)} entries as database version ${r.version}: `,
        r.ids.slice(0, 20).map((id, i) => [i ? ', ' : '', h('a', { href: `/materials/${encodeURIComponent(id)}` }, id)]), r.ids.length > 20 ? ', …' : '.'));
    } catch (e) {
      report.replaceChildren(problemView(e));
    } finally {
      send.disabled = false;
    }
  });
  return h('section', {}, h('h2', {}, 'Contribute results (CSV)'),
    h('p', { class: 'muted' }, 'A header with at least formula,e_form_per_atom; optional columns as in the API reference. The whole file is stored in one transaction or refused with every bad row named.'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'contribution' }, 'CSV file'), file),
      h('div', { class: 'field' }, h('label', { for: 'scheme' }, 'Energy scheme'), scheme),
      h('div', { class: 'field' }, h('label', { for: 'visibility' }, 'Visibility'), visibility),
      h('div', { class: 'field' }, h('label', { for: 'licence' }, 'Licence (SPDX id)'), licence),
      h('div', { class: 'field' }, h('label', { for: 'reference' }, 'Reference'), reference), send),
    h('p', { id: 'licence-help', class: 'muted' }, 'Columns in the file win over these batch-wide values.'), report);
}
