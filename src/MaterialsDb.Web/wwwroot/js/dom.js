// Building the DOM from data: text is always set as text (never parsed as HTML), so nothing a result or an entry
// holds can inject markup.

/** h('a', {href: '/x', class: 'c'}, 'text', child) → element. Attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The page's main element, emptied, with the document title set. */
export function page(title) {
  document.title = `${title} · MaterialsDb`;
  const view = document.getElementById('view');
  view.replaceChildren();
  return view;
}

const numberFormat = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });
const countFormat = new Intl.NumberFormat('en');

/** A number for reading: 4 significant digits; integers in full. */
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number.isInteger(v) && Math.abs(v) >= 1000 ? countFormat.format(v) : numberFormat.format(v);
}

export const count = v => (v === null || v === undefined ? '—' : countFormat.format(v));

/** A value with its uncertainty: "1.234 ± 0.05". */
export function withStd(v, std) {
  if (v === null || v === undefined) return '—';
  return std === null || std === undefined ? num(v) : `${num(v)} ± ${num(std)}`;
}

/** A duration in words: 75 → "1 min 15 s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const when = iso => (iso ? new Date(iso).toLocaleString() : '—');

/** A problem (RFC 9457) as text and a list of field problems. */
export function problemView(error) {
  const p = error?.problem;
  const items = [];
  if (p?.errors) {
    for (const [field, messages] of Object.entries(p.errors)) {
      for (const m of messages) items.push(h('li', {}, h('code', {}, field), ': ', m));
    }
  }
  return h('div', { role: 'alert', class: 'error' },
    h('p', {}, p?.title ? `${p.title}: ${p.detail ?? ''}` : (error?.message ?? String(error))),
    items.length ? h('ul', { class: 'problems' }, items) : null);
}
