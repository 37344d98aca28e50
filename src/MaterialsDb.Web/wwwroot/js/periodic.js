import { h } from './dom.js';
import { loadPlotly, baseConfig } from './plotly.js';

export const SYMBOLS = ('H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os ' +
  'Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og').split(' ');

/** Row (1–10; 9 and 10 are the lanthanides and actinides) and column (1–18) of element Z in the usual layout. */
export function position(z) {
  if (z === 1) return [1, 1];
  if (z === 2) return [1, 18];
  const block = (start, period) => {
    const i = z - start;
    return i < 2 ? [period, i + 1] : [period, i + 11];
  };
  if (z <= 10) return block(3, 2);
  if (z <= 18) return block(11, 3);
  if (z <= 36) return [4, z - 18];
  if (z <= 54) return [5, z - 36];
  if (z <= 56) return [6, z - 54];
  if (z <= 71) return [9, z - 57 + 3];
  if (z <= 86) return [6, z - 72 + 4];
  if (z <= 88) return [7, z - 86];
  if (z <= 103) return [10, z - 89 + 3];
  return [7, z - 104 + 4];
}

/**
 * A periodic-table picker: each element cycles through neutral → include (+) → exclude (−) on click or Enter/Space.
 * The mode is shown by a sign and a strike-through, not only by colour, and announced through aria-label.
 */
export function elementPicker({ include = [], exclude = [], onChange, label = 'Elements' }) {
  const modes = new Map();
  include.forEach(s => modes.set(s, 'include'));
  exclude.forEach(s => modes.set(s, 'exclude'));
  const grid = h('div', { class: 'ptable', role: 'group', 'aria-label': `${label}: click once to require an element, twice to exclude it` });
  SYMBOLS.forEach((symbol, i) => {
    const [row, col] = position(i + 1);
    const button = h('button', { type: 'button', style: `grid-row:${row};grid-column:${col}`, 'data-symbol': symbol });
    const show = () => {
      const mode = modes.get(symbol) ?? 'neutral';
      button.dataset.mode = mode;
      button.textContent = symbol;
      button.setAttribute('aria-label', `${symbol}: ${mode === 'neutral' ? 'any' : mode === 'include' ? 'required' : 'excluded'}`);
      button.setAttribute('aria-pressed', mode === 'neutral' ? 'false' : 'true');
    };
    button.addEventListener('click', () => {
      const next = { neutral: 'include', include: 'exclude', exclude: 'neutral' }[modes.get(symbol) ?? 'neutral'];
      if (next === 'neutral') modes.delete(symbol); else modes.set(symbol, next);
      show();
      onChange?.(picked());
    });
    show();
    grid.append(button);
  });
  const picked = () => ({
    include: [...modes].filter(([, m]) => m === 'include').map(([s]) => s),
    exclude: [...modes].filter(([, m]) => m === 'exclude').map(([s]) => s),
  });
  return grid;
}

/** A periodic-table heatmap of counts (symbol → n) out of total, drawn by Plotly, with a colour bar and values on hover. */
export async function elementHeatmap(container, counts, total) {
  const Plotly = await loadPlotly();
  const z = Array.from({ length: 10 }, () => Array(18).fill(null));
  const text = Array.from({ length: 10 }, () => Array(18).fill(''));
  SYMBOLS.forEach((symbol, i) => {
    const [row, col] = position(i + 1);
    z[row - 1][col - 1] = counts[symbol] ?? 0;
    text[row - 1][col - 1] = symbol;
  });
  await Plotly.react(container, [{
    type: 'heatmap', z, text, texttemplate: '%{text}', textfont: { size: 11 },
    hovertemplate: `%{text}: %{z} of ${total} candidates<extra></extra>`, colorscale: 'YlOrRd', reversescale: false,
    xgap: 2, ygap: 2, colorbar: { title: { text: 'candidates' } }, hoverongaps: false,
  }], {
    margin: { l: 10, r: 10, t: 10, b: 10 }, yaxis: { autorange: 'reversed', visible: false }, xaxis: { visible: false },
    height: 380, font: { family: 'system-ui, sans-serif' },
  }, baseConfig);
}
