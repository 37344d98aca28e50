import { api } from '../api.js';
import { h, page, num, withStd } from '../dom.js';
import { phaseDiagram } from '../phase.js';

export async function render({ params: [id, rank] }) {
  const view = page(`Candidate ${rank}`);
  const [detail, schema, { data: row }] = await Promise.all([api(`/screenings/${id}`), api(`/screenings/${id}/columns`), api(`/screenings/${id}/rows/${rank}`)]);
  document.title = `${row.formula} · ${detail.summary.name} · MaterialsDb`;
  const unit = name => schema.columns.find(c => c.name === name)?.unit ?? '';
  const std = name => schema.columns.find(c => c.name === name)?.std;
  const predicted = Object.keys(schema.models);
  view.append(
    h('p', {}, h('a', { href: `/screenings/${id}` }, `← ${detail.summary.name}`)),
    h('h1', {}, row.formula, h('span', { class: 'muted' }, ` · rank ${row.rank} of ${schema.rows}`)),
    h('h2', {}, 'Predictions'),
    h('table', { id: 'predictions' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Quantity'), h('th', { scope: 'col' }, 'Model'), h('th', { class: 'num', scope: 'col' }, 'Value ± σ'), h('th', { scope: 'col' }, 'Unit'))),
      h('tbody', {}, [...predicted, 'e_above_hull'].filter(c => row[c] !== null && row[c] !== undefined).map(c => h('tr', {},
        h('td', {}, c), h('td', {}, schema.models[c] ? h('a', { href: `/models/${encodeURIComponent(schema.models[c])}` }, schema.models[c]) : 'hull of the reference'),
        h('td', { class: 'num' }, withStd(row[c], std(c) ? row[std(c)] : null)), h('td', {}, unit(c)))))),
    h('h2', {}, 'Supply risk and ranking'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'HHI of production'), h('dd', {}, num(row.hhi_production), ' ', h('span', { class: 'muted' }, unit('hhi_production'))),
      h('dt', {}, 'HHI of reserves'), h('dd', {}, num(row.hhi_reserve)),
      h('dt', {}, 'Probability of meeting the constraints'), h('dd', { id: 'p-constraints' }, num(row.p_constraints)),
      h('dt', {}, 'Probability of stability'), h('dd', { id: 'p-stable' }, row.p_stable === null || row.p_stable === undefined ? '—' : num(row.p_stable)),
      ...(row.decomposition_candidates ? [h('dt', {}, 'Competes on the hull with'), h('dd', { id: 'competitors' }, `${row.decomposition_candidates} (candidates of this screening)`)] : []),
      h('dt', {}, 'Score'), h('dd', {}, num(row.score)),
      h('dt', {}, 'Chemical system'), h('dd', {}, h('a', { href: `/phase-diagram/${row.chemsys}` }, row.chemsys)),
      h('dt', {}, 'As listed'), h('dd', {}, row.source_formula ?? '—')));

  // Novelty: is the composition already known in the database?
  const waiting = h('p', { class: 'muted' }, 'Looking up known entries… (the first request after a start can take a while: it loads the database)');
  const novelty = h('section', { id: 'novelty', 'aria-busy': 'true' }, h('h2', {}, 'Novelty'), waiting);
  view.append(novelty);
  const known = await api(`/materials?formula=${encodeURIComponent(row.formula)}&limit=20`);
  waiting.remove();
  novelty.removeAttribute('aria-busy');
  novelty.append(h('p', {}, row.known ? `Known in the screening's reference (lowest formation energy ${num(row.known_e_form)} eV/atom).` : 'Not in the screening\'s reference: a new composition.'),
    known.data.length ? h('ul', {}, known.data.map(e => h('li', {}, h('a', { href: `/materials/${encodeURIComponent(e.id)}` }, e.id), ` — ${num(e.e_form_per_atom)} eV/atom, ${e.scheme}, ${e.source_kind}`))) :
      h('p', { class: 'muted' }, 'No entry of this formula in the database you can see.'));

  // Its phase diagram: the known phases of its system, and where the candidate sits (E_f = E above hull + hull energy).
  const section = h('section', { id: 'phase-diagram' }, h('h2', {}, `Phase diagram of ${row.chemsys}`));
  view.append(section);
  if (row.e_above_hull === null || row.hull_energy === null) {
    section.append(h('p', {}, 'This screening did not compute stability, so the candidate has no place on a hull.'));
    return;
  }
  const hull = await api(`/hull/${encodeURIComponent(row.chemsys)}`);
  const holder = h('div');
  section.append(holder);
  await phaseDiagram(holder, hull, {
    formula: row.formula, eForm: row.e_above_hull + row.hull_energy, eFormStd: row.e_above_hull_std, eAboveHull: row.e_above_hull,
    decomposition: row.decomposition ?? [],
  });
}
