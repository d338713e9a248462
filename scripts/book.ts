/**
 * `npm run book [-- --quick] [-- --from DIR] [-- --out DIR] [00 06 ...]`: the rendered book, a
 * static site (build/book/ by default) made from the executed notebooks and the README, that
 * opens from the file system. Without --from it executes the notebooks first (quick with
 * --quick) into build/book-notebooks/, training in build/book-runs[-quick]/ (never runs/).
 * See scripts/book/build-book.ts.
 */
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBook } from './book/build-book';
import { ROOT } from './notebook-runner';

const USAGE = `usage: npm run book -- [--quick] [--from DIR] [--out DIR] [NOTEBOOK_PREFIX ...]
  --quick       execute the notebooks in the quick setting (small data, few epochs)
  --from DIR    render the executed notebooks in DIR instead of executing them
  --out DIR     the site's folder (default build/book)
  NOTEBOOK_PREFIX  only these notebooks (e.g. 00 06); all when none`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    from: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
process.on('SIGINT', () => process.exit(130)); // exit handlers end the kernels
buildBook({ quick: values.quick, from: values.from, outDir: values.out, only: positionals }).then(
  (book) => process.stderr.write(`book: open ${relative(process.cwd(), join(book.outDir, 'index.html')) || join(ROOT, 'build', 'book', 'index.html')}\n`),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
