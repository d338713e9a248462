/**
 * The imports of every file under lib/, read with the TypeScript parser: static `import` and
 * `export ... from`, `import x = require()`, and `require()` / `import()` calls with a literal
 * string. Each import says whether it is type-only (erased at compile time: it runs nothing).
 * The architecture test checks the layer rules on these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The kit's root folder. */
export const ROOT = resolve(__dirname, '..');

/** One import of one file. */
export interface LibImport {
  /** The importing file, relative to the kit root (e.g. `lib/eval/cost.ts`). */
  file: string;
  /** The module specifier as written (e.g. `../train/predict`, `node:child_process`). */
  specifier: string;
  /** The imported file relative to the kit root without extension (e.g. `lib/train/predict`), for a relative specifier; else undefined. */
  target?: string;
  /** True for `import type`, `export type` and imports whose every name is a type. */
  typeOnly: boolean;
  /** 1-based line of the import. */
  line: number;
}

/** Returns every .ts, .cts and .cjs file under `dir`, relative to the kit root, sorted. */
export function sourceFiles(dir = join(ROOT, 'lib')): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|cts|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(relative(ROOT, full));
  }
  return out;
}

/** Returns the imports of one file (path relative to the kit root). */
export function fileImports(file: string): LibImport[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.cjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: LibImport[] = [];
  const add = (node: ts.Node, specifier: string, typeOnly: boolean) => {
    const target = specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.(ts|js|cjs|cts)$/, '') : undefined;
    found.push({ file, specifier, target, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node, node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node, node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text, true); // typeof import('x')
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Returns the imports of every file under lib/. */
export function libImports(): LibImport[] {
  return sourceFiles().flatMap(fileImports);
}
