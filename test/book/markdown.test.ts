import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createMarkdownRenderer, headingSlug, protectMath } from '../../scripts/book/markdown';

test('protectMath takes out inline and display math and leaves code spans, fenced code and escaped dollars alone', () => {
  const source = 'Cost $a_1 + b_*$ and `$HOME$` and \\$5, $5 and $10 dollars.\n\n$$\\sum_{k=1}^{7} x_k$$\n\n```bash\necho "$x$"\n```\n';
  const { markdown, math } = protectMath(source);
  assert.deepEqual(math, [
    { tex: 'a_1 + b_*', display: false },
    { tex: '\\sum_{k=1}^{7} x_k', display: true },
  ]);
  // a lone backtick does not hide the math of the next paragraph
  assert.deepEqual(protectMath("it's a ` mark\n\nthen $x$ and `y`").math, [{ tex: 'x', display: false }]);
  assert.match(markdown, /^Cost MMCKDMATH0X and `\$HOME\$` and \\\$5, \$5 and \$10 dollars\.\n\n+MMCKDMATH1X\n\n+```bash\necho "\$x\$"\n```\n$/);
});

test('rendered Markdown has KaTeX math (display math in its own block), GitHub heading anchors and rewritten links and images', async () => {
  const markdown = await createMarkdownRenderer();
  const { html, mathCount } = markdown.render(
    '## Why $\\tau$ matters\n\nSee [the method](docs/method.md#loss) and ![a chart](figures/a.png) or [the web](https://example.org).\n\n$$\\mathcal{L} = x_i$$\n',
    (href, kind) => `${kind}:${href}`,
  );
  assert.equal(mathCount, 2);
  assert.equal((html.match(/<span class="katex">/g) ?? []).length, 2);
  assert.match(html, /<h2 id="why--matters">Why <span class="katex">/);
  assert.match(html, /<div class="math-display"><span class="katex-display">/);
  assert.doesNotMatch(html, /<p><div/);
  assert.match(html, /<a href="link:docs\/method\.md#loss">the method<\/a>/);
  assert.match(html, /<img src="image:figures\/a\.png" alt="a chart">/);
  assert.match(html, /<a href="link:https:\/\/example\.org">/, 'the rewriter sees every link; the book leaves URLs with a scheme as written');
  assert.doesNotMatch(html, /MMCKDMATH/);
});

test('headingSlug makes GitHub\'s anchors', () => {
  assert.equal(headingSlug('Run folders: what `--fresh` removes, what the locks do'), 'run-folders-what---fresh-removes-what-the-locks-do');
  assert.equal(headingSlug('<code>mmckd</code> grids &amp; seeds'), 'mmckd-grids--seeds');
});
