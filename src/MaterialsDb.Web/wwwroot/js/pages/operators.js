import { api } from '../api.js';
import { h, page, count, when, duration } from '../dom.js';

export async function render() {
  const view = page('Operators');
  const [w, usage] = await Promise.all([api('/workers'), api('/usage')]);
  view.append(h('h1', {}, 'Operators'),
    h('p', {}, h('a', { href: '/hangfire' }, 'Job dashboard (Hangfire)'), ' — administrators.'),
    h('h2', {}, 'Usage by tenant'),
    h('table', { id: 'usage' }, h('thead', {}, h('tr', {}, ['Tenant', 'Screenings', 'Active', 'Candidates screened', 'Thread time'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, t)))),
      h('tbody', {}, usage.data.map(u => h('tr', {}, h('td', {}, u.tenant), h('td', { class: 'num' }, count(u.screenings)), h('td', { class: 'num' }, count(u.active)),
        h('td', { class: 'num' }, count(u.candidates)), h('td', { class: 'num' }, duration(u.thread_seconds)))))),
    h('h2', {}, 'Jobs'),
    h('dl', { class: 'facts', id: 'jobs' }, Object.entries(w.jobs).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, count(v))])),
    h('h2', {}, 'Workers'),
    h('table', { id: 'workers' }, h('thead', {}, h('tr', {}, ['Server', 'Workers', 'Queues', 'Heartbeat'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, w.servers.map(s => h('tr', {}, h('td', {}, s.name), h('td', {}, s.workers), h('td', {}, s.queues.join(', ')), h('td', {}, when(s.heartbeat)))))),
    h('h2', {}, 'Queues'),
    h('table', { id: 'queues' }, h('thead', {}, h('tr', {}, ['Queue', 'Length', 'Fetched'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, w.queues.map(q => h('tr', {}, h('td', {}, q.name), h('td', {}, count(q.length)), h('td', {}, count(q.fetched)))))));
}
