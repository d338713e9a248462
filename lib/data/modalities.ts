/**
 * Modalities and the seven modality subsets that MM-CKD trains one model for.
 * @see notebooks/01-data-prep.ipynb
 */

/** One of the three input streams of a clip. */
export type Modality = 'text' | 'audio' | 'vision';

/** The three modalities in MMSA's order (text, audio, vision). */
export const MODALITIES: readonly Modality[] = ['text', 'audio', 'vision'];

/** Feature size per modality in CMU-MOSI's aligned MMSA release (BERT text, COVAREP-reduced audio, Facet vision), the kit's default. */
export const MOSI_FEATURE_DIMS: Readonly<Record<Modality, number>> = Object.freeze({ text: 768, audio: 5, vision: 20 });

/** Short names of the seven non-empty subsets: the teacher 'tav' and the six students. */
export type SubsetName = 'tav' | 'ta' | 'tv' | 'av' | 't' | 'a' | 'v';

/** The teacher's subset first, then the paper's six missing patterns. */
export const SUBSET_NAMES: readonly SubsetName[] = ['tav', 'ta', 'tv', 'av', 't', 'a', 'v'];

const LETTER: Record<Modality, string> = { text: 't', audio: 'a', vision: 'v' };

/** Returns the modalities of a subset name in MMSA order, e.g. 'tv' -> ['text', 'vision']. */
export function subsetModalities(name: SubsetName): Modality[] {
  return MODALITIES.filter((m) => name.includes(LETTER[m]));
}

/** Returns the subset name of a set of modalities, e.g. ['vision', 'text'] -> 'tv'. */
export function subsetName(modalities: readonly Modality[]): SubsetName {
  if (modalities.length === 0) {
    throw new Error('Expected at least one modality, but got an empty list');
  }
  for (const m of modalities) {
    if (!MODALITIES.includes(m)) {
      throw new Error(`Expected a modality among ${MODALITIES.join(', ')}, but got '${String(m)}'`);
    }
  }
  const name = MODALITIES.filter((m) => modalities.includes(m)).map((m) => LETTER[m]).join('');
  return name as SubsetName;
}

/** Returns true when the string is one of the seven subset names. */
export function isSubsetName(s: string): s is SubsetName {
  return (SUBSET_NAMES as readonly string[]).includes(s);
}
