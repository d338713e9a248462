/**
 * What the regime map says, in sentences computed from its table: for each contrast, the regimes
 * and groups of models where the method is better than its baseline (the paired 95% interval
 * below 0), worse (above 0) or within noise, the cells that have no pairs, and where the
 * generator's default regime sits.
 * @see notebooks/06-when-distillation-helps.ipynb
 */
import { formatDifference, REGIME_GROUP_TITLES } from './regime-map-figures';
import { REGIME_CONTRASTS, type RegimeMapRow } from './regime-map';

/** The findings of one contrast. */
export interface RegimeContrastFinding {
  contrast: string;
  better: RegimeMapRow[];
  worse: RegimeMapRow[];
  withinNoise: RegimeMapRow[];
  /** Rows with no paired seed (cells failed or not trained yet). */
  noCells: RegimeMapRow[];
  /** The rows of the default regime (the preset's own size, no added noise, no sharing, no distractors). */
  atDefault: RegimeMapRow[];
  /** One paragraph that says all of the above. */
  text: string;
}

/** 'n150-noise1 (no-text students (a, v, av) −0.0123 [−0.0200, −0.0046])'. */
function place(r: RegimeMapRow): string {
  return `${r.regime} (${REGIME_GROUP_TITLES[r.group]} ${formatDifference(r.mean_diff)} [${formatDifference(r.ci_low)}, ${formatDifference(r.ci_high)}])`;
}

/** Returns the findings of every contrast in `rows`, in REGIME_CONTRASTS order. */
export function regimeMapFindings(rows: readonly RegimeMapRow[]): RegimeContrastFinding[] {
  return REGIME_CONTRASTS.filter((k) => rows.some((r) => r.contrast === k.name)).map((k) => {
    const mine = rows.filter((r) => r.contrast === k.name);
    const better = mine.filter((r) => r.verdict === 'better');
    const worse = mine.filter((r) => r.verdict === 'worse');
    const withinNoise = mine.filter((r) => r.verdict === 'within noise');
    const noCells = mine.filter((r) => r.n === 0);
    const atDefault = mine.filter((r) => r.default_regime);
    const list = (xs: RegimeMapRow[]) => xs.map(place).join('; ');
    const parts = [
      `${k.name} over ${new Set(mine.map((r) => r.regime)).size} regime(s) and ${mine.length} cells (regime × group of models):`,
      better.length ? `better in ${better.length}: ${list(better)}.` : 'better in none.',
      worse.length ? `Worse in ${worse.length}: ${list(worse)}.` : 'Worse in none.',
      `Within noise in ${withinNoise.length}.`,
      ...(noCells.length ? [`No paired cells yet in ${noCells.length} (${[...new Set(noCells.map((r) => r.regime))].join(', ')}).`] : []),
      atDefault.length
        ? `At the default regime (${atDefault[0].regime}): ${atDefault.map((r) => `${REGIME_GROUP_TITLES[r.group]} ${formatDifference(r.mean_diff)}, ${r.verdict}`).join('; ')}.`
        : 'The default regime is not on this map.',
    ];
    return { contrast: k.name, better, worse, withinNoise, noCells, atDefault, text: parts.join(' ') };
  });
}
