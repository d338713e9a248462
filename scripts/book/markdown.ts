/**
 * Markdown with TeX math to HTML for the rendered book: math ($...$ inline, $$...$$ display) is
 * taken out before the Markdown parser sees it (so `_` and `*` inside formulas stay TeX), rendered
 * to HTML by KaTeX at build time (pages need no script for math), and put back after; code spans
 * and fenced code blocks keep their dollars. Links and images go through a callback, so that a
 * page can point them at the book's own copies.
 */
import katex from 'katex';
import type { Marked as MarkedClass, Tokens } from 'marked';
import { importEsm } from '../../lib/io/esm';

/** A math expression found in Markdown: its TeX and whether it is display math. */
export interface MathSpan {
  tex: string;
  display: boolean;
}

/** Markdown with its math replaced by placeholders, and the math in placeholder order. */
export interface ProtectedMarkdown {
  markdown: string;
  math: MathSpan[];
}

/** Returns the placeholder of math expression `i`: letters and digits only, which Markdown leaves alone. */
function placeholder(i: number): string {
  return `MMCKDMATH${i}X`;
}

/** Code a Markdown parser shows verbatim: fenced blocks (``` or ~~~) and code spans (within a paragraph). */
const CODE = /(^|\n)( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(\n {0,3}\3[`~]*[ \t]*(?=\n|$)|$)|(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])+?\5(?!`)/g;

/**
 * Display math: $$...$$ (may span lines). Inline math (Pandoc's rule): $ with a non-space right
 * after it, a closing $ with a non-space right before it and no digit after, on one line; `\$` is a
 * literal dollar.
 */
const MATH = /\\\$|\$\$([\s\S]+?)\$\$|\$(?=\S)((?:\\.|[^$\\\n])+?)(?<=\S)\$(?!\d)/g;

/** Returns `markdown` with its math replaced by placeholders (code left as it is), and the math found. */
export function protectMath(markdown: string): ProtectedMarkdown {
  const math: MathSpan[] = [];
  const replaceMath = (text: string) =>
    text.replace(MATH, (whole: string, display?: string, inline?: string) => {
      if (whole === '\\$') return whole;
      math.push(display !== undefined ? { tex: display.trim(), display: true } : { tex: inline ?? '', display: false });
      const mark = placeholder(math.length - 1);
      // display math on its own paragraph, so it can replace the whole <p>
      return display !== undefined ? `\n\n${mark}\n\n` : mark;
    });
  let out = '';
  let last = 0;
  for (const m of markdown.matchAll(CODE)) {
    out += replaceMath(markdown.slice(last, m.index)) + m[0];
    last = (m.index ?? 0) + m[0].length;
  }
  out += replaceMath(markdown.slice(last));
  return { markdown: out, math };
}

/** Returns the HTML of one math expression rendered by KaTeX (errors shown in place, in red, and not thrown). */
export function renderMath(span: MathSpan): string {
  return katex.renderToString(span.tex, { displayMode: span.display, throwOnError: false, output: 'htmlAndMathml' });
}

/** Returns `html` with the placeholders of `math` replaced by KaTeX's HTML; display math replaces its paragraph. */
export function restoreMath(html: string, math: MathSpan[]): string {
  return html.replace(/(<p>)?MMCKDMATH(\d+)X(<\/p>)?/g, (whole: string, open: string | undefined, index: string, close: string | undefined) => {
    const span = math[Number(index)];
    if (!span) return whole;
    const rendered = renderMath(span);
    if (span.display) return open && close ? `<div class="math-display">${rendered}</div>` : `${open ?? ''}${rendered}${close ?? ''}`;
    return `${open ?? ''}${rendered}${close ?? ''}`;
  });
}

/** Returns a heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as '-'. */
export function headingSlug(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&[a-z]+;|&#\d+;/gi, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Where a link or image of a page should point in the book, given its target as written. */
export type LinkRewriter = (href: string, kind: 'link' | 'image') => string;

/** Renders Markdown with math to HTML. */
export interface MarkdownRenderer {
  /** Returns the HTML of `markdown`, its links and images passed through `rewrite`, and how many math expressions it held. */
  render(markdown: string, rewrite?: LinkRewriter): { html: string; mathCount: number };
}

/** Returns a Markdown renderer (marked, GitHub-flavoured, headings with GitHub's anchors; marked is ESM-only, so this is async). */
export async function createMarkdownRenderer(): Promise<MarkdownRenderer> {
  const { Marked } = await importEsm<{ Marked: typeof MarkedClass }>('marked');
  return {
    render(markdown, rewrite) {
      const { markdown: text, math } = protectMath(markdown);
      const slugs = new Map<string, number>();
      const marked = new Marked({
        gfm: true,
        async: false,
        walkTokens(token) {
          if (!rewrite) return;
          if (token.type === 'link') (token as Tokens.Link).href = rewrite((token as Tokens.Link).href, 'link');
          if (token.type === 'image') (token as Tokens.Image).href = rewrite((token as Tokens.Image).href, 'image');
        },
        renderer: {
          heading({ tokens, depth }) {
            const inner = this.parser.parseInline(tokens);
            const base = headingSlug(inner.replace(/MMCKDMATH\d+X/g, ''));
            const seen = slugs.get(base) ?? 0;
            slugs.set(base, seen + 1);
            const id = seen === 0 ? base : `${base}-${seen}`;
            return `<h${depth} id="${id}">${inner}</h${depth}>\n`;
          },
        },
      });
      const html = marked.parse(text) as string;
      return { html: restoreMath(html, math), mathCount: math.length };
    },
  };
}
