/**
 * How figures name a grid variant: the method's name as the literature writes it (MM-CKD, B1-B4)
 * and, for an ablation, what it changes. Tables and files keep the variant ids ('mmckd', 'b2',
 * 'mmckd-tau0.07'); only legends and axis labels read these.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */

/** Display names of the grid's variants. */
export const VARIANT_LABELS: Readonly<Record<string, string>> = {
  mmckd: 'MM-CKD',
  b1: 'B1 zero-filled teacher',
  b2: 'B2 independent students',
  b3: 'B3 offline KD',
  b4: 'B4 unsupervised contrast',
  'mmckd-lambda0': 'MM-CKD, λ 0',
  'mmckd-unsupervised': 'MM-CKD, unsupervised',
  'mmckd-3class': 'MM-CKD, 3 classes',
  'mmckd-2class': 'MM-CKD, 2 classes',
  'mmckd-tau0.2': 'MM-CKD, τ 0.2',
  'mmckd-tau0.07': 'MM-CKD, τ 0.07',
  'mmckd-lambda1': 'MM-CKD, λ 1',
  'mmckd-detached': 'MM-CKD, teacher views detached',
  'mmckd-scratch': 'MM-CKD, teacher from scratch',
};

/** Returns the display name of a variant, or the id itself when it has none. */
export function variantLabel(variant: string): string {
  return VARIANT_LABELS[variant] ?? variant;
}
