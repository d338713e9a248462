/**
 * The ablations as what they are: each variant's students against B2's, paired by seed. A bar of
 * mean test MAE per variant starting at 0 hides differences of a few thousandths; the paired
 * difference and its 95% interval show them, and show when they are noise.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import type { GridCell } from '../eval/grid-cell';
import { barFigure } from './bar-figures';
import type { FigureCaption, FigureSpec } from './figure-spec';
import { pairedSubsetTable } from './grid-report';
import { variantLabel } from './variant-labels';

/** One ablation against the baseline: the students' mean test MAE (P1), paired by seed. */
export interface AblationDifferenceRow extends Record<string, unknown> {
  variant: string;
  n: number;
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  verdict: string;
}

/** Returns, for every variant of `variants` but the baseline, its students' mean test MAE minus the baseline's, paired by seed. */

/** 'B2' -> "B2's", 'B2 independent students' -> "B2 independent students'". */
function possessive(label: string): string {
  return label.endsWith('s') ? `${label}'` : `${label}'s`;
}

export function ablationDifferenceRows(cells: GridCell[], variants: readonly string[], baseline = 'b2'): AblationDifferenceRow[] {
  return variants
    .filter((v) => v !== baseline)
    .flatMap((v) => {
      const row = pairedSubsetTable(cells, v, baseline).find((r) => r.subset === 'students');
      return row ? [{ variant: v, n: Number(row.n), mean_diff: Number(row.mean_diff), ci_low: Number(row.ci_low), ci_high: Number(row.ci_high), verdict: String(row.verdict) }] : [];
    });
}

/** Returns a horizontal bar per ablation: the paired difference, with its 95% interval as the error bar (none with one seed). */
export function ablationDifferenceFigure(rows: readonly AblationDifferenceRow[], caption: Omit<FigureCaption, 'title'>, baseline = 'b2'): FigureSpec {
  return barFigure({
    id: 'ablations-vs-b2',
    caption: { ...caption, title: `Ablations: the six students' mean test MAE minus ${possessive(variantLabel(baseline))}, paired by seed (95% interval)` },
    labels: rows.map((r) => variantLabel(r.variant)),
    mean: rows.map((r) => r.mean_diff),
    std: rows.map((r) => (Number.isFinite(r.ci_high) ? r.ci_high - r.mean_diff : 0)),
    orientation: 'h',
    xTitle: 'variant',
    yTitle: `test MAE difference to ${variantLabel(baseline)} (negative is better)`,
    highlight: rows.findIndex((r) => r.variant === 'mmckd') >= 0 ? rows.findIndex((r) => r.variant === 'mmckd') : undefined,
  });
}
