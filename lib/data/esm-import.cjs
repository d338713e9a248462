// Loads an ESM-only package (h5wasm) from CommonJS: TypeScript would compile `import()` to
// `require()`, which such packages refuse. See DESIGN.md, "Ecosystem facts".
module.exports = (specifier) => import(specifier);
