/**
 * `npm run notebooks [-- --quick] [00 03 ...]`: executes the notebooks headless, in order,
 * writing executed copies to build/notebooks/. Stops at the first failing cell.
 */
import { runNotebooks } from './notebook-runner';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
process.on('SIGINT', () => process.exit(130)); // exit handlers end the kernels
runNotebooks({ quick, only }).then(
  (runs) => {
    const total = runs.reduce((s, r) => s + r.seconds, 0);
    process.stderr.write(`notebooks: ${runs.length} executed in ${total.toFixed(1)} s (copies in build/notebooks/)\n`);
  },
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
