/** Missing-modality protocols P1 (subsets), P2 (frame-level rate), P3 (random modality loss). */
export * from './masks';
export * from './modality-subset';
export * from './frame-missing';
export * from './random-modality-missing';
