import { api } from '../api.js';
import { h, page, problemView } from '../dom.js';
import { phaseDiagram } from '../phase.js';

export async function render({ params: [chemsys] }) {
  const view = page(chemsys ? `Phase diagram ${chemsys}` : 'Phase diagrams');
  const field = h('input', { id: 'chemsys', value: chemsys ?? '', placeholder: 'e.g. Li-Fe-O', required: true, pattern: '[A-Za-z]+(-[A-Za-z]+)*' });
  const form = h('form', { class: 'row', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'chemsys' }, 'Chemical system (elements joined by -)'), field),
    h('button', { type: 'submit', class: 'primary' }, 'Show'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const system = field.value.split('-').map(s => s.trim()).filter(Boolean).sort().join('-');
    location.assign(`/phase-diagram/${encodeURIComponent(system)}`);
  });
  view.append(h('h1', {}, chemsys ? `Phase diagram of ${chemsys}` : 'Phase diagrams'), form);
  if (!chemsys) return;
  const holder = h('div', { id: 'phase-diagram' });
  view.append(holder);
  try {
    await phaseDiagram(holder, await api(`/hull/${encodeURIComponent(chemsys)}`));
  } catch (e) {
    holder.replaceChildren(problemView(e));
  }
}
