/**
 * The regime map's figures: one heatmap per contrast, regimes down, groups of models across. A
 * cell is coloured only where its paired 95% interval excludes 0 (blue: the method's MAE is lower,
 * orange: higher), and white where the interval contains 0; each cell writes the mean difference
 * and its verdict, and hovering shows the interval, n and the seeds.
 * @see notebooks/06-when-distillation-helps.ipynb
 */
import type { FigureCaption, FigureSpec } from './figure-spec';
import { heatmapFigure } from './heatmap-figure';
import { REGIME_CONTRASTS, REGIME_GROUPS, type RegimeMapRow } from './regime-map';

/** The column titles of the groups of models. */
export const REGIME_GROUP_TITLES: Readonly<Record<keyof typeof REGIME_GROUPS, string>> = {
  noText: 'no-text students (a, v, av)',
  text: 'text students (ta, tv, t)',
  teacher: 'teacher (tav)',
};

/** A signed difference with four decimals, e.g. '+0.0049' or '−0.0077'. */
export function formatDifference(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(4)}`;
}

/** The short mark of a verdict written in a cell. */
function verdictMark(verdict: string): string {
  return verdict === 'better' ? 'better' : verdict === 'worse' ? 'worse' : verdict === 'within noise' ? '≈ noise' : verdict;
}

/** Returns a file-name-safe id for a contrast, e.g. 'regime-map-mmckd-b2'. */
export function regimeFigureId(contrast: string): string {
  const k = REGIME_CONTRASTS.find((c) => c.name === contrast);
  const slug = k ? `${k.variant}-${k.baseline}` : contrast.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `regime-map-${slug}`;
}

/**
 * Returns one heatmap per contrast present in `rows` (the map's table), in REGIME_CONTRASTS order;
 * `caption` gives the dataset, seeds and backend (its title is set per contrast).
 */
export function regimeHeatmaps(rows: readonly RegimeMapRow[], caption: Omit<FigureCaption, 'title'>): FigureSpec[] {
  const groups = Object.keys(REGIME_GROUPS) as (keyof typeof REGIME_GROUPS)[];
  const contrasts = REGIME_CONTRASTS.map((k) => k.name).filter((name) => rows.some((r) => r.contrast === name));
  return contrasts.map((contrast) => {
    const mine = rows.filter((r) => r.contrast === contrast);
    const regimes = [...new Set(mine.map((r) => r.regime))];
    const cell = (regime: string, group: string) => mine.find((r) => r.regime === regime && r.group === group);
    const z = regimes.map((regime) => groups.map((g) => {
      const r = cell(regime, g);
      return r && (r.verdict === 'better' || r.verdict === 'worse') ? r.mean_diff : 0;
    }));
    const cellText = regimes.map((regime) => groups.map((g) => {
      const r = cell(regime, g);
      return !r ? '' : r.n === 0 ? 'no cells' : `${formatDifference(r.mean_diff)} ${verdictMark(r.verdict)}`;
    }));
    const hoverText = regimes.map((regime) => groups.map((g) => {
      const r = cell(regime, g);
      if (!r) return `${regime}: not in this contrast`;
      if (r.n === 0) return `${regime} · ${REGIME_GROUP_TITLES[g]}: no paired cells (${r.missing_cells} missing)`;
      return `${regime} · ${REGIME_GROUP_TITLES[g]}<br>${contrast}: ${formatDifference(r.mean_diff)} test MAE<br>95% interval [${formatDifference(r.ci_low)}, ${formatDifference(r.ci_high)}], n=${r.n} (seeds ${r.seeds})<br>${r.verdict}`;
    }));
    const span = Math.max(1e-4, ...mine.filter((r) => r.verdict === 'better' || r.verdict === 'worse').map((r) => Math.abs(r.mean_diff)));
    const spec = heatmapFigure({
      id: regimeFigureId(contrast),
      caption: { ...caption, title: `${contrast}: paired test-MAE difference per regime (P1)`, note: 'coloured where the 95% interval excludes 0 (blue: lower MAE, better); white: within noise' },
      z,
      xLabels: groups.map((g) => REGIME_GROUP_TITLES[g]),
      yLabels: regimes,
      xTitle: 'models',
      yTitle: 'regime',
      zTitle: `${contrast} (MAE)`,
      zmin: -span,
      zmax: span,
      zmid: 0,
      colorscale: [[0, '#0072B2'], [0.5, '#ffffff'], [1, '#D55E00']],
      cellText,
      hoverText,
    });
    spec.layout.margin = { ...(spec.layout.margin as Record<string, number>), l: 120 };
    return spec;
  });
}
