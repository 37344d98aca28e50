import { api } from '../api.js';
import { h, page } from '../dom.js';
import { marked } from '/app/vendor/marked.esm.js';
import DOMPurify from '/app/vendor/purify.mjs';

// The card is Markdown; rendered, then sanitised before it enters the page.
export async function render({ params: [id] }) {
  const view = page(id);
  const text = await (await api(`/models/${encodeURIComponent(id)}/card`, { raw: true })).text();
  const body = h('article', { class: 'card-body', id: 'model-card' });
  body.innerHTML = DOMPurify.sanitize(marked.parse(text));
  view.append(h('p', {}, h('a', { href: '/models' }, '← Models')), body);
}
