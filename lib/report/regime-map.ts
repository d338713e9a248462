/**
 * The regime map: when does a teacher help, and when does imputation pay? A regime is the
 * synthetic generator with some of its regime knobs moved (training-set size, added label noise,
 * sharing beyond the label, distractor dimensions: docs/synthetic-data.md); in each regime the
 * same grid of methods is trained over the same seeds, and each contrast (a method minus its
 * baseline) is paired by seed with a 95% t-interval, for three groups of models: the students
 * without text (a, v, av), the students with text (ta, tv, t) and the teacher (tav).
 * This module holds the regimes, the contrasts and the map's table; it trains nothing
 * (lib/experiments/regime-map-runs.ts runs the grids, docs/regime-map.md says what theory
 * predicts and what the runs gave).
 */
import type { SubsetName } from '../data/modalities';
import { formatSyntheticSpec } from '../data/synthetic-spec';
import { syntheticConfig, type SyntheticOverrides, type SyntheticPresetName } from '../data/synthetic';
import { pairedDifference, type PairedDifference } from './paired-difference';

/** One regime: its name, the generator preset and knobs it moves, and the axis it belongs to. */
export interface Regime {
  name: string;
  /** Which axis of the map the regime spans ('size-noise', 'sharing', 'difficulty'). */
  axis: 'size-noise' | 'sharing' | 'difficulty';
  /** The synthetic preset whose knobs the regime moves: 'mosi' (the map) or 'quick' (the quick map). */
  preset: SyntheticPresetName;
  overrides: SyntheticOverrides;
  /**
   * True at the two ends of the sharing axis (no sharing beyond the label, and the shared regime):
   * there B1 is trained too and imputation is compared with zero-filling (AE + teacher − B1).
   */
  imputation: boolean;
}

/** The map's two sizes: 'full' (the map itself) and 'quick' (a small one for tests and MMCKD_QUICK). */
export type RegimeMapSize = 'full' | 'quick';

/** The levels of each axis, per map size. */
export interface RegimeLevels {
  preset: SyntheticPresetName;
  /** Training-set sizes (the preset's own size is the calibrated default). */
  sizes: readonly number[];
  /** Standard deviations of the label noise added to train and valid labels. */
  labelNoise: readonly number[];
  /** sharedBeyondLabel of the sharing axis' second level (its first is the default, 0). */
  shared: number;
  /** Distractor dimensions added to audio and vision on the difficulty axis (its first level is 0). */
  distractorDims: number;
}

/** The levels of the full map and of the quick one. */
export const REGIME_LEVELS: Readonly<Record<RegimeMapSize, RegimeLevels>> = {
  full: { preset: 'mosi', sizes: [150, 400, 1284], labelNoise: [0, 0.5, 1], shared: 0.8, distractorDims: 200 },
  quick: { preset: 'quick', sizes: [64, 192], labelNoise: [0, 1], shared: 0.8, distractorDims: 50 },
};

/**
 * Returns the regimes of a map: every size crossed with every label-noise level, then the sharing
 * axis (sharedBeyondLabel 0.8) and the difficulty axis (distractor dimensions for audio and for
 * vision) at the preset's size and no added noise. The preset's own regime (its size, no added
 * noise) is the first level of the sharing and difficulty axes, and one end of the imputation
 * comparison.
 */
export function regimeMap(size: RegimeMapSize = 'full'): Regime[] {
  const levels = REGIME_LEVELS[size];
  const own = syntheticConfig(levels.preset).counts.train;
  const grid: Regime[] = levels.sizes.flatMap((train) =>
    levels.labelNoise.map((noise) => ({
      name: `n${train}-noise${noise}`,
      axis: 'size-noise' as const,
      preset: levels.preset,
      overrides: { ...(train === own ? {} : { counts: { train } }), ...(noise === 0 ? {} : { addedLabelNoise: noise }) },
      imputation: train === own && noise === 0,
    })),
  );
  const d = levels.distractorDims;
  return [
    ...grid,
    { name: `shared${levels.shared}`, axis: 'sharing', preset: levels.preset, overrides: { sharedBeyondLabel: levels.shared }, imputation: true },
    { name: `distractors${d}`, axis: 'difficulty', preset: levels.preset, overrides: { modalities: { audio: { distractorDims: d }, vision: { distractorDims: d } } }, imputation: false },
  ];
}

/** Returns the dataset spec of a regime, e.g. 'synthetic:mosi?counts.train=150&addedLabelNoise=0.5'. */
export function regimeSpec(regime: Regime): string {
  return formatSyntheticSpec(regime.preset, regime.overrides);
}

/** The knobs of a regime as the generator reads them (defaults filled in): what the map's table names per row. */
export interface RegimeKnobs {
  trainClips: number;
  addedLabelNoise: number;
  sharedBeyondLabel: number;
  /** Distractor dimensions of audio and of vision (the same on the map). */
  distractorDims: number;
}

/** Returns the knobs of a regime, read from the generator's config. */
export function regimeKnobs(regime: Regime): RegimeKnobs {
  const c = syntheticConfig(regime.preset, regime.overrides);
  return { trainClips: c.counts.train, addedLabelNoise: c.addedLabelNoise, sharedBeyondLabel: c.sharedBeyondLabel, distractorDims: c.modalities.audio.distractorDims };
}

/** The grid variants every regime trains (B1 is added where imputation is compared: `regimeVariants`). */
export const REGIME_METHODS: readonly string[] = ['mmckd', 'b2', 'b3', 'b4'];

/** The name of the imputation cells (autoencoder imputer + the stage-1 teacher), beside the grid's variants. */
export const IMPUTATION_VARIANT = 'ae-teacher';

/** Returns the grid variants a regime trains: REGIME_METHODS, and B1 where imputation is compared. */
export function regimeVariants(regime: Regime): string[] {
  return regime.imputation ? [...REGIME_METHODS, 'b1'] : [...REGIME_METHODS];
}

/** The groups of models a contrast is reported for. */
export const REGIME_GROUPS: Readonly<Record<'noText' | 'text' | 'teacher', readonly SubsetName[]>> = {
  noText: ['a', 'v', 'av'],
  text: ['ta', 'tv', 't'],
  teacher: ['tav'],
};

/** The contrasts of the map: a variant minus its baseline, paired by seed (the last one only where `imputation` holds). */
export const REGIME_CONTRASTS: readonly { name: string; variant: string; baseline: string }[] = [
  { name: 'MM-CKD − B2', variant: 'mmckd', baseline: 'b2' },
  { name: 'B3 − B2', variant: 'b3', baseline: 'b2' },
  { name: 'B4 − B2', variant: 'b4', baseline: 'b2' },
  { name: 'AE + teacher − B1', variant: IMPUTATION_VARIANT, baseline: 'b1' },
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

/** What one regime of a map gave: its evaluated cells, how many were planned, and what failed. */
export interface RegimeResult {
  regime: Regime;
  /** The evaluated cells found in the regime's folder (grid variants and imputation cells). */
  cells: RegimeCell[];
  /** Cells the regime plans: its variants and its imputation cells, times the seeds. */
  planned: number;
  /** One line per failure (a grid that stopped, an imputation cell that threw), naming the regime. */
  failures: string[];
}

/** One row of the map's table (figures/tables/regime-map.csv): the regime's knobs, the contrast and its paired difference. */
export interface RegimeMapRow extends Record<string, unknown> {
  regime: string;
  /** True for the generator's own regime (its preset's size, no knob moved). */
  default_regime: boolean;
  axis: Regime['axis'];
  spec: string;
  train_clips: number;
  added_label_noise: number;
  shared_beyond_label: number;
  distractor_dims: number;
  contrast: string;
  /** The contrast's two sides as grid variants: `variant` minus `baseline`, e.g. 'mmckd' minus 'b2'. */
  variant: string;
  baseline: string;
  group: keyof typeof REGIME_GROUPS;
  /** The models of the group, e.g. 'a v av'. */
  models: string;
  n: number;
  seeds: string;
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  verdict: string;
  /** Planned cells of the regime that have no evaluation (failed, or not trained yet). */
  missing_cells: number;
}

/**
 * Returns the rows of the map's table: every contrast of every regime, per group, with the
 * regime's knobs. A contrast with no paired seed (its cells failed or are not trained yet) keeps
 * its rows, with n 0, NaN values and the verdict 'no cells', so a hole in the map shows as one.
 */
export function regimeMapRows(results: readonly RegimeResult[]): RegimeMapRow[] {
  return results.flatMap((r) => {
    const knobs = regimeKnobs(r.regime);
    const contrasts = r.regime.imputation ? REGIME_CONTRASTS : REGIME_CONTRASTS.filter((k) => k.variant !== IMPUTATION_VARIANT);
    const found = regimeContrasts(r.regime.name, r.cells, contrasts);
    return contrasts.flatMap((k) =>
      (Object.keys(REGIME_GROUPS) as (keyof typeof REGIME_GROUPS)[]).map((group) => {
        const x = found.find((y) => y.contrast === k.name && y.group === group);
        return {
          regime: r.regime.name,
          default_regime: r.regime.imputation && r.regime.axis === 'size-noise',
          axis: r.regime.axis,
          spec: regimeSpec(r.regime),
          train_clips: knobs.trainClips,
          added_label_noise: knobs.addedLabelNoise,
          shared_beyond_label: knobs.sharedBeyondLabel,
          distractor_dims: knobs.distractorDims,
          contrast: k.name,
          variant: k.variant,
          baseline: k.baseline,
          group,
          models: REGIME_GROUPS[group].join(' '),
          n: x?.n ?? 0,
          seeds: x?.seeds.join(' ') ?? '',
          mean_diff: x?.meanDiff ?? NaN,
          ci_low: x?.ciLow ?? NaN,
          ci_high: x?.ciHigh ?? NaN,
          verdict: x?.verdict ?? 'no cells',
          missing_cells: r.planned - r.cells.length,
        };
      }),
    );
  });
}
