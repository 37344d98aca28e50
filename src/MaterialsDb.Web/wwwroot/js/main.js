import { session, signOut } from './api.js';
import { h, page, problemView } from './dom.js';

// Every page is its own module, loaded when its address is opened (the server sends the same shell for all of them).
const routes = [
  [/^\/$/, 'home'],
  [/^\/screenings\/?$/, 'screenings'],
  [/^\/screenings\/new$/, 'new-screening'],
  [/^\/screenings\/([0-9a-f-]{36})$/, 'screening'],
  [/^\/screenings\/([0-9a-f-]{36})\/candidates\/(\d+)$/, 'candidate'],
  [/^\/materials\/?$/, 'materials'],
  [/^\/materials\/([^/]+)$/, 'material'],
  [/^\/phase-diagram(?:\/([^/]+))?$/, 'phase-diagram'],
  [/^\/models\/?$/, 'models'],
  [/^\/models\/([^/]+)$/, 'model'],
  [/^\/operators$/, 'operators'],
];

async function start() {
  const who = await session();
  document.getElementById('signout').hidden = !who;
  document.getElementById('signin').hidden = !!who;
  document.getElementById('nav-operators').hidden = !(who && (who.role === 'operator' || who.role === 'admin'));
  document.getElementById('who').textContent = who ? `${who.tenant} (${who.role})` : '';
  document.getElementById('signout').addEventListener('click', signOut);
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
  }

  const path = decodeURI(location.pathname);
  for (const [pattern, name] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      const module = await import(`./pages/${name}.js`);
      await module.render({ session: who, params: match.slice(1).map(p => p && decodeURIComponent(p)) });
    } catch (e) {
      showError(e);
    }
    return;
  }
  notFound('There is no such page.');
}

/** The not-found page: says nothing about whether the thing exists for someone else. */
export function notFound(message) {
  const view = page('Not found');
  view.append(h('h1', {}, 'Not found'), h('p', {}, message), h('p', {}, h('a', { href: '/' }, 'Back to the start page')));
}

function showError(e) {
  if (e?.status === 404) {
    notFound(e.problem?.detail ?? 'There is no such thing here.');
    return;
  }
  const view = page('Error');
  view.append(h('h1', {}, 'Something went wrong'), problemView(e));
}

start();
