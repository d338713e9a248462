/** The data layer's seeded batches in the shape the trainer asks for. */
import { batches } from '../data/batches';
import type { BatchSource } from './trainer';

/** Batches of a split, shuffled with `seed` when `shuffle` is set; the trainer disposes them. */
export const splitBatches: BatchSource = (split, o) => batches(split, { batchSize: o.batchSize, seed: o.shuffle ? o.seed : undefined });
