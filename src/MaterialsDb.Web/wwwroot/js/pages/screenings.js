import { api, query } from '../api.js';
import { h, page, count, when } from '../dom.js';

const ACTIVE = new Set(['Queued', 'Running']);

export async function render() {
  const view = page('Screenings');
  const params = new URLSearchParams(location.search);
  const cursor = params.get('cursor');
  view.append(h('h1', {}, 'Screenings'), h('p', {}, h('a', { href: '/screenings/new' }, 'New screening')));
  const holder = h('div', { 'aria-live': 'polite' });
  view.append(holder);
  let timer = null;
  const load = async () => {
    const list = await api('/screenings' + query({ limit: 20, cursor }));
    const next = list.links.next ? new URL(list.links.next, location.origin).searchParams.get('cursor') : null;
    holder.replaceChildren(
      list.data.length === 0 ? h('p', {}, 'No screenings yet.') : h('div', { class: 'scroll' }, h('table', {},
        h('caption', { class: 'muted' }, `${list.data.length} screenings on this page, newest first`),
        h('thead', {}, h('tr', {}, ['Name', 'State', 'Progress', 'Candidates', 'Survivors', 'Created', 'Submitted by'].map((t, i) => h('th', { class: i >= 3 && i < 5 ? 'num' : '' , scope: 'col' }, t)))),
        h('tbody', {}, list.data.map(s => {
          const fraction = s.candidates ? s.processed / s.candidates : (ACTIVE.has(s.state) ? 0 : 1);
          return h('tr', {},
            h('td', {}, h('a', { href: `/screenings/${s.id}` }, s.name)),
            h('td', {}, h('span', { class: `state ${s.state}` }, s.state)),
            h('td', {}, h('progress', { max: 1, value: fraction, 'aria-label': `${s.name}: ${Math.round(fraction * 100)} % screened` }), ` ${Math.round(fraction * 100)} %`),
            h('td', { class: 'num' }, count(s.candidates)),
            h('td', { class: 'num' }, count(s.survivors)),
            h('td', {}, when(s.created)),
            // Keys are named by the start of their id (materialsdb keys list / revoke).
            h('td', {}, s.submitted_by ? h('code', { title: s.submitted_by }, `key ${s.submitted_by.slice(0, 8)}`) : '—'));
        })))),
      h('div', { class: 'pager' },
        cursor ? h('a', { href: '/screenings' }, 'First page') : null,
        next ? h('a', { href: '/screenings?cursor=' + encodeURIComponent(next), rel: 'next' }, 'Next page') : null));
    // Active screenings move: the list refreshes itself while any is queued or running.
    clearTimeout(timer);
    if (list.data.some(s => ACTIVE.has(s.state))) timer = setTimeout(load, 2000);
  };
  await load();
}
