/**
 * The set of models MM-CKD trains jointly: the teacher and one student per missing pattern.
 * @see notebooks/03-online-mmckd.ipynb
 */
import { SUBSET_NAMES, type SubsetName } from '../data/modalities';
import type { ModelConfig } from './config';
import { deriveSeed } from './init';
import { buildModel, type MsaModel } from './model';

/** Returns the initialisation seed of one member: mixed from the set seed and the subset name,
 * so a model's weights do not depend on which other subsets are built. */
export function memberSeed(seed: number, subset: SubsetName): number {
  return deriveSeed(seed, `subset:${subset}`);
}

/**
 * Builds one model per subset (default: the teacher 'tav' and the six students) from a shared
 * base config whose `subset` is overridden. Returns a record keyed by subset name.
 * @see notebooks/03-online-mmckd.ipynb
 */
export function buildModelSet<S extends SubsetName = SubsetName>(
  baseConfig: Partial<ModelConfig>,
  subsets: readonly S[] = SUBSET_NAMES as readonly S[],
  seed = 0,
): Record<S, MsaModel> {
  const out = {} as Record<S, MsaModel>;
  try {
    for (const s of subsets) out[s] = buildModel({ ...baseConfig, subset: s }, memberSeed(seed, s));
  } catch (err) {
    for (const m of Object.values(out) as MsaModel[]) m.dispose();
    throw err;
  }
  return out;
}

/** Disposes every model of a set. */
export function disposeModelSet(models: Partial<Record<SubsetName, MsaModel>>): void {
  for (const m of Object.values(models)) m?.dispose();
}
