import { api } from '../api.js';
import { h, page, count } from '../dom.js';

export async function render({ session }) {
  const view = page('Home');
  view.append(h('h1', {}, 'MaterialsDb'),
    h('p', {}, 'Virtual screening and property prediction for inorganic materials: enumerate candidate compositions, predict their properties with machine-learned models, score their stability against the shared materials database, and download the ranked candidates.'));
  if (!session) {
    view.append(h('p', {}, h('a', { href: '/signin' }, 'Sign in'), ' with the API key your administrator gave you, or read the ', h('a', { href: '/api/docs' }, 'API reference'), '.'),
      h('p', {}, 'The materials database is also open to OPTIMADE clients at ', h('code', {}, '/optimade/v1/structures'), '.'));
    return;
  }
  const recent = await api('/screenings?limit=5');
  view.append(
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('h2', {}, h('a', { href: '/screenings/new' }, 'New screening')), h('p', {}, 'Start from an example spec, check it, and submit it.')),
      h('div', { class: 'card' }, h('h2', {}, h('a', { href: '/screenings' }, 'Screenings')), h('p', {}, `Your tenant's screenings (${recent.data.length ? 'latest: ' + recent.data[0].name : 'none yet'}).`)),
      h('div', { class: 'card' }, h('h2', {}, h('a', { href: '/materials' }, 'Materials database')), h('p', {}, 'Search entries by formula, chemical system or elements; contribute results.')),
      h('div', { class: 'card' }, h('h2', {}, h('a', { href: '/phase-diagram' }, 'Phase diagrams')), h('p', {}, 'The convex hull of any chemical system.')),
      h('div', { class: 'card' }, h('h2', {}, h('a', { href: '/models' }, 'Models')), h('p', {}, 'What each model predicts, and how well.'))),
    h('h2', {}, 'Latest screenings'),
    recent.data.length === 0 ? h('p', {}, 'None yet.') :
      h('ul', {}, recent.data.map(s => h('li', {}, h('a', { href: `/screenings/${s.id}` }, s.name), ` — ${s.state}, ${count(s.survivors)} survivors`))));
}
