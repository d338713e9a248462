/**
 * AUILC, the area under the indicator-vs-missing-rate curve (TFR-Net, Yuan et al. 2021;
 * EMT-DLFR, Sun et al. 2023): the trapezoid rule over the rates where the indicator was measured.
 * Not normalised: over rates 0..1 it is on the indicator's own scale (a constant 0.8 gives 0.8).
 * @see notebooks/04-missing-modality-ablations.ipynb
 */

/** Returns sum_i (r[i+1] - r[i]) * (v[i] + v[i+1]) / 2 for strictly increasing rates r. */
export function auilc(rates: ArrayLike<number>, values: ArrayLike<number>): number {
  if (rates.length !== values.length) {
    throw new Error(`Expected as many values as rates, but got ${values.length} values for ${rates.length} rates`);
  }
  if (rates.length < 2) throw new Error(`Expected at least 2 rates, but got ${rates.length}`);
  let area = 0;
  for (let i = 0; i + 1 < rates.length; i++) {
    if (!(rates[i + 1] > rates[i])) {
      throw new Error(`Expected strictly increasing rates, but rate ${i + 1} (${rates[i + 1]}) follows ${rates[i]}`);
    }
    area += ((rates[i + 1] - rates[i]) * (values[i] + values[i + 1])) / 2;
  }
  return area;
}
