import { FORMATS, FORMATS_PLACEHOLDER } from '@tracklane/schema';
import ts from 'typescript';

const f = ts.factory;

/**
 * ajv's runtime helpers, by the module standalone code requires them from: the generated runtime's
 * function, or the `@tracklane/core` export the collector's engine uses too.
 */
const RUNTIME_HELPERS: Readonly<Record<string, { runtime: string } | { core: string }>> = {
  'ajv/dist/runtime/ucs2length': { runtime: 'ucs2length' },
  'ajv/dist/runtime/equal': { core: 'jsonEqual' },
};

/** Standalone validators turned into statements for the generated TypeScript module. */
export interface TypedValidators {
  /** TypeScript source of the declarations (validators, their regular expressions). */
  code: string;
  /** ajv's function name for each export name given to `standaloneSource`. */
  functions: Map<string, string>;
  /** The `@tracklane/core` functions the validators call: format checks, `jsonEqual`. */
  coreImports: Set<string>;
}

/**
 * Rewrites ajv's standalone ES module so that it is part of the generated TypeScript module and
 * stays tree-shakeable and CSP-safe:
 * - `export const x = validateN` and `export default` go (the caller wraps each validateN);
 * - a format (`FORMATS_PLACEHOLDER["email"]`) becomes the `@tracklane/core` function checking it;
 * - a runtime helper (`require("ajv/dist/runtime/equal").default`) becomes the generated runtime's;
 * - `new RegExp(source, flags)` becomes the same regular expression as a literal (pure, so a
 *   bundler drops the unused ones);
 * - reads of the embedded schema (`schema11.properties.a.enum`) become the value read, and the
 *   schema itself goes, as does every error's `schemaPath` (nothing reads them);
 * - parameters and variables ajv leaves untyped are `any`, and `validateN.errors` is read through
 *   `any`: the code is ajv's, checked by the collector's test suite, not by the type checker.
 */
export function standaloneToTs(source: string): TypedValidators {
  const file = ts.createSourceFile('standalone.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const functions = new Map<string, string>();
  const coreImports = new Set<string>();
  const schemas = new Map<string, unknown>();
  const kept: ts.Statement[] = [];
  for (const statement of file.statements) {
    if (ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression)) continue; // "use strict"
    if (ts.isExportAssignment(statement)) continue;
    if (ts.isVariableStatement(statement)) {
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      const [declaration] = statement.declarationList.declarations;
      if (!declaration || !ts.isIdentifier(declaration.name) || !declaration.initializer) throw internal(statement);
      const name = declaration.name.text;
      const init = declaration.initializer;
      if (exported) {
        if (!ts.isIdentifier(init)) throw internal(statement);
        functions.set(name, init.text);
        continue;
      }
      if (/^schema\d+$/.test(name)) {
        schemas.set(name, JSON.parse(init.getText(file)) as unknown);
        continue;
      }
    }
    kept.push(statement);
  }
  const transformer = (context: ts.TransformationContext) => (root: ts.Node): ts.Node => {
    const visit = (node: ts.Node): ts.Node | undefined => {
      // FORMATS_PLACEHOLDER["name"] or FORMATS_PLACEHOLDER.name
      const format = formatRead(node);
      if (format !== undefined) {
        const definition = FORMATS[format];
        if (definition === undefined) throw internal(node);
        coreImports.add(definition.check);
        // String formats are registered as bare functions; number formats as {type, validate}.
        const check = f.createIdentifier(definition.check);
        return definition.type === 'number' ? f.createObjectLiteralExpression([f.createPropertyAssignment('validate', check)]) : check;
      }
      // require("ajv/dist/runtime/x").default
      if (ts.isPropertyAccessExpression(node) && ts.isCallExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'require') {
        const [module] = node.expression.arguments;
        const helper = module && ts.isStringLiteral(module) ? RUNTIME_HELPERS[module.text] : undefined;
        if (helper === undefined) throw internal(node);
        if ('core' in helper) coreImports.add(helper.core);
        return f.createIdentifier('core' in helper ? helper.core : helper.runtime);
      }
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const [pattern, flags] = node.arguments ?? [];
        if (!pattern || !ts.isStringLiteral(pattern) || (flags && !ts.isStringLiteral(flags))) throw internal(node);
        const flagText = flags && ts.isStringLiteral(flags) ? flags.text : '';
        // `source` is escaped for a literal (slashes, line terminators): the same expression.
        return f.createRegularExpressionLiteral(`/${new RegExp(pattern.text, flagText).source}/${flagText}`);
      }
      // `0.01 === 0` (ajv's multipleOf guard): TypeScript refuses to compare two literals; the answer is known.
      if (ts.isBinaryExpression(node) && ts.isNumericLiteral(node.left) && ts.isNumericLiteral(node.right)) {
        const op = node.operatorToken.kind;
        if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) {
          const same = Number(node.left.text) === Number(node.right.text);
          return (op === ts.SyntaxKind.EqualsEqualsEqualsToken) === same ? f.createTrue() : f.createFalse();
        }
      }
      const read = schemaRead(node, schemas);
      if (read !== undefined) return f.createParenthesizedExpression(f.createAsExpression(jsonLiteral(read.value), anyType()));
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'schemaPath') return undefined;
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'errors') {
        return f.createPropertyAccessExpression(f.createParenthesizedExpression(f.createAsExpression(ts.visitNode(node.expression, visit) as ts.Expression, anyType())), 'errors');
      }
      if (ts.isParameter(node) && node.type === undefined) {
        return f.updateParameterDeclaration(node, node.modifiers, node.dotDotDotToken, ts.visitNode(node.name, visit) as ts.BindingName, node.questionToken, anyType(), node.initializer && (ts.visitNode(node.initializer, visit) as ts.Expression));
      }
      if (ts.isVariableDeclaration(node) && node.type === undefined && ts.isIdentifier(node.name) && !isLoopVariable(node) && (node.initializer === undefined || node.initializer.kind === ts.SyntaxKind.NullKeyword || isEmptyObject(node.initializer))) {
        return f.updateVariableDeclaration(node, node.name, undefined, anyType(), node.initializer);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(root, visit) as ts.Node;
  };
  const transformed = ts.transform(f.updateSourceFile(file, kept), [transformer]);
  const printed = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(transformed.transformed[0] as ts.SourceFile);
  // The type checker gives up on the largest of ajv's functions (TS2563, "too large for control flow
  // analysis", e.g. the draft-04 meta-schema's validator, which a `$ref` to it inlines); it reports
  // that on the function's first line. The code is ajv's and the test suites check what it does.
  const code = printed.replace(/^function validate\d+\(/gm, (header) => `// @ts-ignore TS2563 on ajv's largest validators\n${header}`);
  transformed.dispose();
  return { code, functions, coreImports };
}

/** The format name of `FORMATS_PLACEHOLDER["name"]` or `FORMATS_PLACEHOLDER.name`. */
function formatRead(node: ts.Node): string | undefined {
  const on = (target: ts.Expression): boolean => ts.isIdentifier(target) && target.text === FORMATS_PLACEHOLDER;
  if (ts.isElementAccessExpression(node) && on(node.expression) && ts.isStringLiteral(node.argumentExpression)) return node.argumentExpression.text;
  if (ts.isPropertyAccessExpression(node) && on(node.expression)) return node.name.text;
  return undefined;
}

/** `schema11.properties.a.enum` (or `schema11.properties["a-b"]`): the value it reads from the embedded schema. */
function schemaRead(node: ts.Node, schemas: ReadonlyMap<string, unknown>): { value: unknown } | undefined {
  const path: string[] = [];
  let at: ts.Node = node;
  while (ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at)) {
    if (ts.isPropertyAccessExpression(at)) path.unshift(at.name.text);
    else if (ts.isStringLiteral(at.argumentExpression) || ts.isNumericLiteral(at.argumentExpression)) path.unshift(at.argumentExpression.text);
    else return undefined;
    at = at.expression;
  }
  if (!ts.isIdentifier(at) || !schemas.has(at.text)) return undefined;
  // Only the outermost access of a chain is replaced.
  const parent = node.parent as ts.Node | undefined;
  if (parent && (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) return undefined;
  let value: unknown = schemas.get(at.text);
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) throw internal(node);
    value = (value as Record<string, unknown>)[key];
  }
  return { value };
}

/** A JSON value as an expression, built from synthesized nodes (the printer reads no source text). */
function jsonLiteral(value: unknown): ts.Expression {
  if (value === null) return f.createNull();
  if (typeof value === 'boolean') return value ? f.createTrue() : f.createFalse();
  if (typeof value === 'number') return value < 0 ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-value)) : f.createNumericLiteral(value);
  if (typeof value === 'string') return f.createStringLiteral(value);
  if (Array.isArray(value)) return f.createArrayLiteralExpression(value.map(jsonLiteral));
  // A literal `"__proto__": v` would set the prototype; a computed key makes it a property, as in JSON.
  const key = (name: string): ts.PropertyName => (name === '__proto__' ? f.createComputedPropertyName(f.createStringLiteral(name)) : f.createStringLiteral(name));
  return f.createObjectLiteralExpression(Object.entries(value as Record<string, unknown>).map(([name, v]) => f.createPropertyAssignment(key(name), jsonLiteral(v))));
}

/** `{}`: ajv fills such objects by key (`indices0[item]`), which TypeScript refuses on `{}`. */
function isEmptyObject(node: ts.Expression): boolean {
  return ts.isObjectLiteralExpression(node) && node.properties.length === 0;
}

/** `for (const key of ...)` / `for (const key in ...)`: TypeScript allows no type annotation there. */
function isLoopVariable(node: ts.VariableDeclaration): boolean {
  const statement = node.parent.parent as ts.Node | undefined;
  return statement !== undefined && (ts.isForOfStatement(statement) || ts.isForInStatement(statement));
}

function anyType(): ts.TypeNode {
  return f.createKeywordTypeNode(ts.SyntaxKind.AnyKeyword);
}

function internal(node: ts.Node): Error {
  return new Error(`internal: unexpected standalone validator code: ${node.getText?.() ?? ts.SyntaxKind[node.kind]}`);
}
