/**
 * The regime map: when does a teacher help, and when does imputation pay? A regime is the
 * synthetic generator with some of its regime knobs moved (training-set size, added label noise,
 * sharing beyond the label, distractor dimensions: docs/synthetic-data.md); in each regime the
 * same grid of methods is trained over the same seeds, and each contrast (a method minus its
 * baseline) is paired by seed with a 95% t-interval, for three groups of models: the students
 * without text (a, v, av), the students with text (ta, tv, t) and the teacher (tav).
 * This module holds the regimes and the contrasts; it trains nothing (scripts/regime-map.ts runs
 * the grids, docs/regime-map.md says what theory predicts and what the runs gave).
 */
import type { SubsetName } from '../data/modalities';
import { formatSyntheticSpec } from '../data/synthetic-spec';
import type { SyntheticOverrides } from '../data/synthetic';
import { pairedDifference, type PairedDifference } from './paired-difference';

/** One regime: its name, the generator knobs it moves and the axis it belongs to. */
export interface Regime {
  name: string;
  /** Which axis of the map the regime spans ('size-noise', 'sharing', 'difficulty'). */
  axis: 'size-noise' | 'sharing' | 'difficulty';
  overrides: SyntheticOverrides;
}

/** Training-set sizes of the map (the calibrated default has 1284 training clips). */
export const REGIME_SIZES: readonly number[] = [150, 400, 1284];
/** Standard deviations of the label noise added to train and valid labels. */
export const REGIME_LABEL_NOISE: readonly number[] = [0, 0.5, 1];

/**
 * Returns the regimes of the map: every size crossed with every label-noise level, then the
 * sharing axis (sharedBeyondLabel 0.8) and the difficulty axis (200 distractor dimensions for audio
 * and for vision) at the default size and no added noise.
 */
export function regimeMap(): Regime[] {
  const grid: Regime[] = REGIME_SIZES.flatMap((train) =>
    REGIME_LABEL_NOISE.map((noise) => ({
      name: `n${train}-noise${noise}`,
      axis: 'size-noise' as const,
      overrides: { ...(train === 1284 ? {} : { counts: { train } }), ...(noise === 0 ? {} : { addedLabelNoise: noise }) },
    })),
  );
  return [
    ...grid,
    { name: 'shared0.8', axis: 'sharing', overrides: { sharedBeyondLabel: 0.8 } },
    { name: 'distractors200', axis: 'difficulty', overrides: { modalities: { audio: { distractorDims: 200 }, vision: { distractorDims: 200 } } } },
  ];
}

/** Returns the dataset spec of a regime, e.g. 'synthetic:mosi?counts.train=150&addedLabelNoise=0.5'. */
export function regimeSpec(regime: Regime): string {
  return formatSyntheticSpec('mosi', regime.overrides);
}

/** The groups of models a contrast is reported for. */
export const REGIME_GROUPS: Readonly<Record<'noText' | 'text' | 'teacher', readonly SubsetName[]>> = {
  noText: ['a', 'v', 'av'],
  text: ['ta', 'tv', 't'],
  teacher: ['tav'],
};

/** The contrasts of the map: a variant minus its baseline, paired by seed. */
export const REGIME_CONTRASTS: readonly { name: string; variant: string; baseline: string }[] = [
  { name: 'MM-CKD − B2', variant: 'mmckd', baseline: 'b2' },
  { name: 'B3 − B2', variant: 'b3', baseline: 'b2' },
  { name: 'B4 − B2', variant: 'b4', baseline: 'b2' },
];

/** One evaluated cell of a regime: its variant, seed and test MAE per model (P1). */
export interface RegimeCell {
  variant: string;
  seed: number;
  testMae: Partial<Record<SubsetName, number>>;
}

/** One row of the map: a regime, a contrast and a group, with the paired difference over seeds. */
export interface RegimeContrastRow extends Pick<PairedDifference, 'n' | 'meanDiff' | 'ciLow' | 'ciHigh' | 'verdict'> {
  regime: string;
  contrast: string;
  group: keyof typeof REGIME_GROUPS;
  seeds: number[];
}

/**
 * Returns every contrast of one regime for every group, paired over the seeds both sides have
 * (each side's value is the mean test MAE of the group's models); a contrast with no common seed
 * is left out. Negative differences are better (lower MAE).
 */
export function regimeContrasts(regime: string, cells: readonly RegimeCell[], contrasts = REGIME_CONTRASTS): RegimeContrastRow[] {
  const groupMae = (c: RegimeCell, subsets: readonly SubsetName[]) => subsets.reduce((s, m) => s + (c.testMae[m] ?? NaN), 0) / subsets.length;
  const rows: RegimeContrastRow[] = [];
  for (const k of contrasts) {
    const a = new Map(cells.filter((c) => c.variant === k.variant).map((c) => [c.seed, c]));
    const b = new Map(cells.filter((c) => c.variant === k.baseline).map((c) => [c.seed, c]));
    const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
    if (seeds.length === 0) continue;
    for (const group of Object.keys(REGIME_GROUPS) as (keyof typeof REGIME_GROUPS)[]) {
      const d = pairedDifference(seeds.map((s) => groupMae(a.get(s)!, REGIME_GROUPS[group])), seeds.map((s) => groupMae(b.get(s)!, REGIME_GROUPS[group])));
      rows.push({ regime, contrast: k.name, group, seeds, n: d.n, meanDiff: d.meanDiff, ciLow: d.ciLow, ciHigh: d.ciHigh, verdict: d.verdict });
    }
  }
  return rows;
}
