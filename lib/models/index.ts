/** Public API of lib/models (re-exported by lib/index.ts). */
export {};
