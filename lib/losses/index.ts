/** Public API of lib/losses (re-exported by lib/index.ts). */
export {};
