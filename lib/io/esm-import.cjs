// Plain CommonJS on purpose: TypeScript compiles `import()` in CommonJS output to `require()`,
// which cannot load ESM-only packages (arquero 8, h5wasm) on every Node 20. A native `import()` in a .cjs
// file stays native under tsc, tsx and tslab. lib/io/esm.ts loads this file by its path under the
// kit root, so both lib/ (tsx) and dist/lib/ (tsc output, which does not copy .cjs) use the same
// file; specifiers resolve from lib/ upwards to the kit's node_modules.
'use strict';
module.exports = function importEsm(specifier) {
  return import(specifier);
};
