import { api, ApiError } from '../api.js';
import { h, page, count, duration, num } from '../dom.js';

export async function render() {
  const view = page('New screening');
  const examples = await (await fetch('/app/examples.json')).json();
  const editor = h('textarea', { id: 'spec', class: 'spec', spellcheck: 'false', 'aria-describedby': 'spec-help' });
  const example = h('select', { id: 'example' }, h('option', { value: '' }, '— choose an example —'), examples.map(e => h('option', { value: e }, e)));
  const report = h('div', { id: 'report', 'aria-live': 'polite' });
  const check = h('button', { type: 'button', id: 'check' }, 'Check (dry run)');
  const submit = h('button', { type: 'button', id: 'submit', class: 'primary' }, 'Submit');
  view.append(h('h1', {}, 'New screening'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'example' }, 'Start from an example'), example)),
    h('div', { class: 'field' },
      h('label', { for: 'spec' }, 'Spec (YAML or JSON)'),
      h('p', { id: 'spec-help', class: 'muted' }, 'The schema: ', h('a', { href: '/api/v1/schemas/screening-spec.json' }, 'screening-spec.json'), '. Check counts the candidates and estimates the time without storing anything.'),
      editor),
    h('div', { class: 'row' }, check, submit), report);

  example.addEventListener('change', async () => {
    if (!example.value) return;
    editor.value = await (await fetch('/app/examples/' + encodeURIComponent(example.value))).text();
    report.replaceChildren();
  });

  const send = async dryRun => {
    const text = editor.value;
    if (!text.trim()) {
      report.replaceChildren(h('p', { role: 'alert', class: 'error' }, 'The spec is empty: write one or start from an example.'));
      return null;
    }
    const type = text.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
    check.disabled = submit.disabled = true;
    report.replaceChildren(h('p', {}, dryRun ? 'Checking…' : 'Submitting…'));
    try {
      return await api('/screenings' + (dryRun ? '?dry_run=true' : ''), { method: 'POST', body: text, type });
    } catch (e) {
      report.replaceChildren(problems(e, editor));
      return null;
    } finally {
      check.disabled = submit.disabled = false;
    }
  };

  check.addEventListener('click', async () => {
    const r = await send(true);
    if (!r) return;
    report.replaceChildren(h('div', { class: 'panel', id: 'dry-run' },
      h('p', {}, h('strong', {}, 'The spec is valid. '), r.candidates === null
        ? `Up to ${count(r.upper_bound)} compositions before the chemical filters (too many to count here; the job counts them).`
        : `${count(r.candidates)} candidates${r.upper_bound !== null ? ` (of ${count(r.upper_bound)} compositions before the chemical filters)` : ''}.`),
      h('p', {}, `About ${num(r.microseconds_per_candidate)} µs per candidate on one thread (a sample of ${count(r.sampled)})`,
        r.estimated_thread_seconds !== null ? ` → about ${duration(r.estimated_thread_seconds)} of thread time in all.` : '.'),
      h('p', {}, 'Stages: ', r.stages.join(' → '))));
  });

  submit.addEventListener('click', async () => {
    const r = await send(false);
    if (r) location.assign(`/screenings/${r.id}`);
  });
}

// Problems at their field paths; a click puts the cursor on the line of the field's key, when the text has it.
function problems(error, editor) {
  if (!(error instanceof ApiError) || !error.problem) {
    return h('p', { role: 'alert', class: 'error' }, String(error.message ?? error));
  }
  const p = error.problem;
  const items = Object.entries(p.errors ?? {}).flatMap(([field, messages]) => messages.map(m => {
    const key = field.split('.').pop().replace(/\[\d+\]$/, '');
    const lines = editor.value.split('\n');
    const line = lines.findIndex(l => new RegExp(`^\\s*"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*:`).test(l));
    return h('li', {}, h('code', {}, field), `: ${m}`, line >= 0 ? h('button', {
      type: 'button', class: 'link', onclick: () => {
        const start = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
        editor.focus();
        editor.setSelectionRange(start, start + lines[line].length);
      },
    }, ` (line ${line + 1})`) : null);
  }));
  return h('div', { role: 'alert', class: 'error', id: 'problems' },
    h('p', {}, `${p.title}${p.detail ? ': ' + p.detail : ''}`),
    items.length ? h('ul', { class: 'problems' }, items) : null);
}
