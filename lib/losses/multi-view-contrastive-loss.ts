/**
 * Unsupervised multi-view contrastive loss (baseline B4, as in MCL-OKD): the positives of an anchor
 * are only the same clip seen by the other models; everything else is a negative. It is MVSC with
 * one class per clip.
 * @see notebooks/04-missing-modality-ablations.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { mvscLoss, type ContrastiveOptions } from './mvsc-loss';

/** Returns the unsupervised multi-view contrastive loss (a scalar) of M views [N, p] at `tau`. */
export function multiViewContrastiveLoss(views: tf.Tensor2D[], tau: number, options: ContrastiveOptions = {}): tf.Scalar {
  if (views.length === 0) throw new Error('Expected at least one view, but got none');
  const clipIds = Int32Array.from({ length: views[0].shape[0] }, (_, i) => i);
  return mvscLoss(views, clipIds, tau, options);
}
