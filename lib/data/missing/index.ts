/**
 * Missing-modality protocols P1 (subsets), P2 (frame-level rate), P3 (modality-missing rate,
 * IMDer's per-batch form) and P3c (the kit's per-clip variant).
 */
export * from './masks';
export * from './modality-subset';
export * from './frame-missing';
export * from './imder-batch-missing';
export * from './random-modality-missing';
