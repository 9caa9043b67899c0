import ts from 'typescript';

const f = ts.factory;

/**
 * Parses a code fragment into synthesized statements to splice into the module's AST. Used for
 * the fixed validation runtime and validator bodies, whose every literal is escaped with
 * JSON.stringify or checked (regular expressions) before it gets here. The module is still
 * printed once; leading comments of top-level statements are kept.
 */
export function parseStatements(code: string): ts.Statement[] {
  const file = ts.createSourceFile('fragment.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    throw new Error(`internal: generated fragment does not parse: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}\n${code}`);
  }
  return file.statements.map((statement) => {
    const copy = synthesize(statement);
    for (const range of ts.getLeadingCommentRanges(code, statement.pos) ?? []) {
      const text = code.slice(range.pos + 2, range.kind === ts.SyntaxKind.MultiLineCommentTrivia ? range.end - 2 : range.end);
      ts.addSyntheticLeadingComment(copy, range.kind, text, true);
    }
    return copy;
  });
}

/**
 * A copy with no source positions and freshly created literals and identifiers, so the printer
 * takes nothing from the fragment's text (it would read it from the module's file instead).
 */
function synthesize<T extends ts.Node>(node: T): T {
  const visit = (n: ts.Node): ts.Node => {
    let out: ts.Node;
    if (ts.isIdentifier(n)) out = f.createIdentifier(n.text);
    else if (ts.isStringLiteral(n)) out = f.createStringLiteral(n.text, true);
    else if (ts.isNumericLiteral(n)) out = f.createNumericLiteral(n.text);
    else if (ts.isRegularExpressionLiteral(n)) out = f.createRegularExpressionLiteral(n.text);
    else if (ts.isNoSubstitutionTemplateLiteral(n)) out = f.createNoSubstitutionTemplateLiteral(n.text);
    else if (ts.isTemplateHead(n)) out = f.createTemplateHead(n.text);
    else if (ts.isTemplateMiddle(n)) out = f.createTemplateMiddle(n.text);
    else if (ts.isTemplateTail(n)) out = f.createTemplateTail(n.text);
    else out = ts.visitEachChild(n, visit, undefined);
    return ts.setTextRange(out, { pos: -1, end: -1 });
  };
  return visit(node) as T;
}
