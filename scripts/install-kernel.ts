/**
 * `npm run kernel:install`: registers this clone's tslab as the Jupyter kernel "TypeScript" for
 * the current user, so notebooks/ open in Jupyter with the kit's kernel.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findJupyterPython, ROOT } from './notebook-runner';

const python = findJupyterPython();
const tslab = join(ROOT, 'node_modules', '.bin', 'tslab');
const r = spawnSync(tslab, ['install', '--python', python, '--binary', tslab, '--user'], { stdio: 'inherit' });
if (r.status === 0) process.stderr.write(`kernel: tslab registered for ${python} (kernel name "tslab")\n`);
process.exit(r.status ?? 1);
