import { api } from '../api.js';
import { h, page, num } from '../dom.js';

export async function render() {
  const view = page('Models');
  const models = await api('/models');
  view.append(h('h1', {}, 'Models'), h('div', { class: 'cards' }, models.data.map(m => h('div', { class: 'card' },
    h('h2', {}, h('a', { href: `/models/${encodeURIComponent(m.id)}` }, m.id)),
    h('p', {}, `${m.target} (${m.units}) · column ${m.column} · ${m.members} members · features ${m.preset}`),
    m.metrics ? h('dl', { class: 'facts' }, Object.entries(m.metrics).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, num(v))])) : null))));
}
