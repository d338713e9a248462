#!/usr/bin/env node
// Entry point of the `mmckd` command: runs the TypeScript CLI through tsx, no build step needed.
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => {
    process.stderr.write(`mmckd: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
