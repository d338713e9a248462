/**
 * `npm run notebooks [-- --quick] [00 03 ...]`: executes the notebooks headless, in order,
 * writing executed copies to build/notebooks/. Stops at the first failing cell.
 */
import { runNotebooks } from './notebook-runner';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
try {
  const runs = runNotebooks({ quick, only });
  const total = runs.reduce((s, r) => s + r.seconds, 0);
  process.stderr.write(`notebooks: ${runs.length} executed in ${total.toFixed(1)} s (copies in build/notebooks/)\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
