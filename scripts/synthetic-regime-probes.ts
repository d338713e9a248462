/**
 * `npx tsx scripts/synthetic-regime-probes.ts [--preset mosi|quick]`: what each regime knob of the
 * synthetic generator does to the data, one knob at a time from the preset, measured with linear
 * probes (ridge on mean-pooled features, R^2 on test) and the generator's ground truth. Prints the
 * markdown tables that docs/synthetic-data.md ("Regime knobs") quotes. Trains no model of the kit.
 */
import { correlationBeyondSentiment, ridgeProbe } from '../lib/data/probe';
import type { Modality } from '../lib/data/modalities';
import { generateSynthetic, syntheticConfig, type SyntheticDataset, type SyntheticOverrides, type SyntheticPresetName } from '../lib/data/synthetic';
import { formatSyntheticSpec } from '../lib/data/synthetic-spec';

const presetArg = process.argv.indexOf('--preset');
const preset = (presetArg >= 0 ? process.argv[presetArg + 1] : 'mosi') as SyntheticPresetName;

/** Ridge penalties per probe: the text probe of 768-d features needs a strong one (as in scripts/synthetic-ceilings.ts). */
const PROBES: [string, Modality[], number][] = [
  ['t', ['text'], 3000],
  ['a', ['audio'], 100],
  ['v', ['vision'], 100],
  ['av', ['audio', 'vision'], 100],
  ['tav', ['text', 'audio', 'vision'], 3000],
];

const fixed = (v: number, digits = 3): string => v.toFixed(digits);

/** Returns the probe R^2 on test of each probe, fitted on train. */
function probeRow(d: SyntheticDataset): string[] {
  return PROBES.map(([, mods, lambda]) => fixed(ridgeProbe(d.train, d.test, mods, lambda).r2Eval));
}

/** Returns the variance of (train label - latent sentiment). */
function labelGapVariance(d: SyntheticDataset): number {
  const gap = Array.from(d.train.labels, (y, i) => y - d.truth.train.latent[i]);
  const mean = gap.reduce((s, v) => s + v, 0) / gap.length;
  return gap.reduce((s, v) => s + (v - mean) ** 2, 0) / gap.length;
}

function table(title: string, extra: string[], rows: [SyntheticOverrides, (d: SyntheticDataset) => string[]][]): void {
  console.log(`\n${title}\n`);
  const head = ['spec', ...extra, ...PROBES.map(([name]) => `R^2 ${name}`)];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const [overrides, measure] of rows) {
    const d = generateSynthetic(syntheticConfig(preset, overrides));
    console.log(`| \`${formatSyntheticSpec(preset, overrides)}\` | ${[...measure(d), ...probeRow(d)].join(' | ')} |`);
  }
}

const none = (): string[] => [];
table('Training-set size (counts.train; valid and test unchanged)', [], [150, 300, 600, 1284, 4000].map((n) => [{ counts: { train: n } }, none]));
table('Added label noise (train and valid labels)', ['var(train label - s)'], [0, 0.5, 1].map((s) => [{ addedLabelNoise: s }, (d) => [fixed(labelGapVariance(d))]]));
/** Returns R^2 on test of a ridge probe of audio + vision for text's reading s_t: how much of the missing text an imputer could recover. */
function textReadingFromAudioVision(d: SyntheticDataset): number {
  const onReading = (s: 'train' | 'test') => ({ ...d[s], labels: d.truth[s].readings.text });
  return ridgeProbe(onReading('train'), onReading('test'), ['audio', 'vision'], 100).r2Eval;
}
table('Sharing beyond the label', ['corr t-a', 'corr t-v', 'corr a-v', 'R^2 s_t from av'], [0, 0.5, 0.9].map((r) => [
  { sharedBeyondLabel: r },
  (d) => [...Object.values(correlationBeyondSentiment(d.train, d.test, d.truth.train, d.truth.test)), textReadingFromAudioVision(d)].map((c) => fixed(c)),
]));
table('Distractor dimensions (audio and vision)', [], [0, 100, 500].map((k) => [{ modalities: { audio: { distractorDims: k }, vision: { distractorDims: k } } }, none]));
