import { api } from '../api.js';
import { h, page, num, when } from '../dom.js';

export async function render({ params: [id] }) {
  const view = page(id);
  const [entry, history] = await Promise.all([api(`/materials/${encodeURIComponent(id)}`), api(`/materials/${encodeURIComponent(id)}/history`)]);
  const facts = Object.entries(entry).filter(([, v]) => v !== null && typeof v !== 'object');
  view.append(h('h1', {}, `${entry.reduced_formula ?? entry.formula} `, h('span', { class: 'muted' }, id)),
    entry.chemsys ? h('p', {}, h('a', { href: `/phase-diagram/${entry.chemsys}` }, `Phase diagram of ${entry.chemsys}`)) : null,
    h('h2', {}, 'Entry'),
    h('dl', { class: 'facts', id: 'entry' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'number' ? num(v) : String(v))])),
    ...Object.entries(entry).filter(([, v]) => v && typeof v === 'object').map(([k, v]) => h('div', {}, h('h3', {}, k), h('pre', {}, JSON.stringify(v, null, 2)))),
    h('h2', {}, 'Revisions'),
    h('table', { id: 'revisions' },
      h('thead', {}, h('tr', {}, ['Revision', 'Database version', 'Formation energy (eV/atom)', 'Visibility', 'Retracted', 'Created'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, history.data.map(r => h('tr', {},
        h('td', {}, r.revision ?? '—'), h('td', {}, r.database_version ?? r.version ?? '—'), h('td', { class: 'num' }, num(r.e_form_per_atom)),
        h('td', {}, r.visibility), h('td', {}, r.retracted ? 'yes' : 'no'), h('td', {}, when(r.created)))))));
}
