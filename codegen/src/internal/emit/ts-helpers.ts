import ts from 'typescript';

/** Small helpers over `ts.factory`, so emitters read as the code they build. */
export const f = ts.factory;

export const exportModifier = (): ts.ModifierLike[] => [f.createModifier(ts.SyntaxKind.ExportKeyword)];

export const str = (text: string): ts.StringLiteral => f.createStringLiteral(text, true);

export const id = (name: string): ts.Identifier => f.createIdentifier(name);

export const keywordType = (kind: ts.KeywordTypeSyntaxKind): ts.KeywordTypeNode => f.createKeywordTypeNode(kind);

export const typeRef = (name: string, args?: ts.TypeNode[]): ts.TypeReferenceNode => f.createTypeReferenceNode(name, args);

/** A literal type for a JSON value (`'a'`, `3`, `-1`, `true`, `null`), or `undefined` for objects and arrays. */
export function literalType(value: unknown): ts.TypeNode | undefined {
  if (value === null) return f.createLiteralTypeNode(f.createNull());
  if (typeof value === 'string') return f.createLiteralTypeNode(str(value));
  if (typeof value === 'boolean') return f.createLiteralTypeNode(value ? f.createTrue() : f.createFalse());
  if (typeof value === 'number' && Number.isFinite(value)) {
    const literal = f.createNumericLiteral(Math.abs(value));
    return f.createLiteralTypeNode(value < 0 ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, literal) : literal);
  }
  return undefined;
}

/** A JSON value as an expression (used for constants such as PII rules and enum sets). */
export function jsonExpression(value: unknown): ts.Expression {
  if (value === null) return f.createNull();
  if (typeof value === 'string') return str(value);
  if (typeof value === 'boolean') return value ? f.createTrue() : f.createFalse();
  if (typeof value === 'number') {
    const literal = f.createNumericLiteral(Math.abs(value));
    return value < 0 ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, literal) : literal;
  }
  if (Array.isArray(value)) return f.createArrayLiteralExpression(value.map(jsonExpression));
  const entries = Object.entries(value as Record<string, unknown>);
  return f.createObjectLiteralExpression(entries.map(([k, v]) => f.createPropertyAssignment(str(k), jsonExpression(v))), entries.length > 1);
}

/** `a | b | c`, collapsing duplicates and a single member. */
export function union(types: ts.TypeNode[]): ts.TypeNode {
  const unique = dedupe(types);
  if (unique.length === 0) return keywordType(ts.SyntaxKind.NeverKeyword);
  return unique.length === 1 ? unique[0]! : f.createUnionTypeNode(unique);
}

export function intersection(types: ts.TypeNode[]): ts.TypeNode {
  const unique = dedupe(types);
  return unique.length === 1 ? unique[0]! : f.createIntersectionTypeNode(unique);
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
const scratch = ts.createSourceFile('scratch.ts', '', ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);

/** Prints one node on its own (used to dedupe union members and in tests). */
export function printNode(node: ts.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, scratch);
}

/** A cheap identity for common type nodes; printing is the fallback. */
function typeKey(t: ts.TypeNode): string {
  if (ts.isLiteralTypeNode(t)) return ts.isStringLiteral(t.literal) ? `s:${t.literal.text}` : `l:${printNode(t)}`;
  if (ts.isTypeReferenceNode(t) && !t.typeArguments && ts.isIdentifier(t.typeName)) return `r:${t.typeName.text}`;
  if (t.kind >= ts.SyntaxKind.FirstKeyword && t.kind <= ts.SyntaxKind.LastKeyword) return `k:${t.kind}`;
  return printNode(t);
}

function dedupe(types: ts.TypeNode[]): ts.TypeNode[] {
  const seen = new Set<string>();
  const out: ts.TypeNode[] = [];
  for (const t of types) {
    if (t.kind === ts.SyntaxKind.UnknownKeyword) return [t];
    const key = typeKey(t);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

/** Attaches a JSDoc block (the printer indents it with the node). */
export function withJsDoc<T extends ts.Node>(node: T, lines: readonly string[]): T {
  if (lines.length === 0) return node;
  const safe = lines.flatMap((l) => l.replace(/\*\//g, '*\\/').split('\n'));
  const text = safe.length === 1 ? `* ${safe[0]} ` : `*\n${safe.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n `;
  return ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, text, true);
}
