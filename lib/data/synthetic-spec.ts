/**
 * Dataset specs that name the synthetic generator: `synthetic` (the 'mosi' preset),
 * `synthetic:<preset>`, and either one followed by a query of config fields:
 *
 *   synthetic:mosi?counts.train=300&addedLabelNoise=0.5&modalities.audio.distractorDims=200
 *
 * A key is the path of a numeric field of `SyntheticConfig` (as in `SyntheticOverrides`), a value
 * a plain number; `syntheticConfig` then validates the result, so an out-of-range value is refused
 * by its field name. The spec is the whole recipe of the data: run folders record it, and
 * `mmckd eval` regenerates the same data from it.
 * @see docs/synthetic-data.md
 */
import { DEFAULT_SYNTHETIC_CONFIG, SYNTHETIC_PRESETS, type SyntheticOverrides, type SyntheticPresetName } from './synthetic';

/** A parsed synthetic dataset spec: the preset and the overrides its query gives. */
export interface SyntheticSpec {
  preset: SyntheticPresetName;
  overrides: SyntheticOverrides;
}

/** Returns true when the spec names the synthetic generator (with or without preset and query). */
export function isSyntheticSpec(spec: string): boolean {
  return spec === 'synthetic' || spec.startsWith('synthetic:') || spec.startsWith('synthetic?');
}

/** Returns the dotted paths of every numeric field of a synthetic config, the keys a spec's query accepts. */
export function syntheticSpecKeys(): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') keys.push(path);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(DEFAULT_SYNTHETIC_CONFIG, '');
  return keys;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Returns the preset and overrides of a synthetic spec; throws "Expected ..., but got ..." naming
 * the spec and the key on an unknown preset, an unknown or repeated key, or a value that is not a
 * number.
 */
export function parseSyntheticSpec(spec: string): SyntheticSpec {
  if (!isSyntheticSpec(spec)) throw new Error(`Expected a synthetic dataset spec ('synthetic', 'synthetic:<preset>', optionally '?key=value&...'), but got '${spec}'`);
  const q = spec.indexOf('?');
  const head = q < 0 ? spec : spec.slice(0, q);
  const preset = (head.split(':')[1] || 'mosi') as SyntheticPresetName;
  if (!SYNTHETIC_PRESETS.includes(preset)) {
    throw new Error(`Expected a synthetic preset among ${SYNTHETIC_PRESETS.join(', ')}, but got '${preset}'`);
  }
  const overrides: Record<string, unknown> = {};
  if (q < 0) return { preset, overrides };
  const known = syntheticSpecKeys();
  const seen = new Set<string>();
  for (const pair of spec.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const text = eq < 0 ? '' : pair.slice(eq + 1);
    if (!known.includes(key)) throw new Error(`Expected each key of dataset spec '${spec}' to be a numeric field of SyntheticConfig (${known.join(', ')}), but got '${key}'`);
    if (seen.has(key)) throw new Error(`Expected each key of dataset spec '${spec}' once, but got '${key}' twice`);
    if (!NUMBER.test(text)) throw new Error(`Expected ${key} in dataset spec '${spec}' to be a number, but got '${text}'`);
    seen.add(key);
    const path = key.split('.');
    let node = overrides;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = Number(text);
  }
  return { preset, overrides: overrides as SyntheticOverrides };
}

/**
 * Returns the spec string of a preset and overrides, the inverse of `parseSyntheticSpec`: keys in
 * the order of `syntheticSpecKeys`, numbers as JavaScript prints them ('synthetic:quick' when
 * there are no overrides).
 */
export function formatSyntheticSpec(preset: SyntheticPresetName, overrides: SyntheticOverrides = {}): string {
  const pairs: string[] = [];
  for (const key of syntheticSpecKeys()) {
    let value: unknown = overrides;
    for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    if (value !== undefined) pairs.push(`${key}=${String(value)}`);
  }
  return `synthetic:${preset}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

/** Returns `base` with `over` applied on top, field by field (counts, speakers, modalities and weights merged per entry). */
export function mergeSyntheticOverrides(base: SyntheticOverrides, over: SyntheticOverrides): SyntheticOverrides {
  const modalities: NonNullable<SyntheticOverrides['modalities']> = { ...base.modalities };
  for (const [m, fields] of Object.entries(over.modalities ?? {}) as [keyof typeof modalities, object][]) {
    modalities[m] = { ...modalities[m], ...fields };
  }
  return {
    ...base,
    ...over,
    counts: { ...base.counts, ...over.counts },
    speakers: { ...base.speakers, ...over.speakers },
    disagreementWeights: { ...base.disagreementWeights, ...over.disagreementWeights },
    modalities,
  };
}
