// Loads an ESM-only package (h5wasm) from CommonJS: TypeScript would compile `import()` to
// `require()`, which such packages refuse (tslab compiles notebook cells to CommonJS too).
module.exports = (specifier) => import(specifier);
