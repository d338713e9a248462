/**
 * The floor every MAE should be read against: predicting one constant for every clip, the median
 * of the training labels (the constant with the lowest training MAE). A model that does not beat
 * it on the test split has learned nothing from its inputs.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import { quantile } from './cost';

/** Returns the median of `values` (the mean of the two middle values when their number is even); throws when empty. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('Expected at least one value for the median, but got none');
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Returns the test MAE of predicting the median training label for every clip. */
export function constantPredictorMae(trainLabels: ArrayLike<number>, testLabels: ArrayLike<number>): number {
  if (testLabels.length === 0) throw new Error('Expected test labels for the constant predictor, but got none');
  const c = median(trainLabels);
  let sum = 0;
  for (let i = 0; i < testLabels.length; i++) sum += Math.abs(testLabels[i] - c);
  return sum / testLabels.length;
}
