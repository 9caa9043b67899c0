import ts from 'typescript';
import type { JsonSchema } from '../load/types.js';
import { isIdentifier } from '../naming/identifiers.js';
import { docLines } from './jsdoc.js';
import { isConstraintOnly, resolveRef, schemaTypes, type SchemaContext } from './schema-context.js';
import { f, intersection, keywordType, literalType, str, typeRef, union, withJsDoc } from './ts-helpers.js';

const K = ts.SyntaxKind;

/**
 * The TypeScript type of a JSON Schema node, following the schema exactly: required vs optional,
 * nullable type arrays, enums as literal unions, nested objects and arrays, additionalProperties,
 * `oneOf`/`anyOf` as unions, `allOf` as intersections, local and Iglu `$ref`s.
 */
export function typeFromSchema(schema: JsonSchema | boolean | undefined, ctx: SchemaContext, seen: ReadonlySet<JsonSchema> = new Set()): ts.TypeNode {
  if (schema === undefined || schema === true || typeof schema !== 'object' || schema === null) return keywordType(K.UnknownKeyword);
  if (schema === (false as unknown)) return keywordType(K.NeverKeyword);
  if (seen.has(schema)) return keywordType(K.UnknownKeyword); // a recursive $ref: stop, honestly unknown
  const inner = new Set(seen).add(schema);
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, ctx);
    if (!target) return keywordType(K.UnknownKeyword);
    return 'iglu' in target ? typeRef(target.iglu) : typeFromSchema(target.local, ctx, inner);
  }
  if (schema.const !== undefined) return literalType(schema.const) ?? keywordType(K.UnknownKeyword);
  if (Array.isArray(schema.enum)) {
    const literals = schema.enum.map(literalType);
    return literals.every((l) => l !== undefined) ? union(literals) : keywordType(K.UnknownKeyword);
  }
  const base = baseType(schema, ctx, inner);
  const parts: ts.TypeNode[] = base ? [base] : [];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.every(isConstraintOnly)) continue;
    parts.push(union(branches.map((b) => (isConstraintOnly(b) ? keywordType(K.UnknownKeyword) : typeFromSchema(b, ctx, inner)))));
  }
  if (Array.isArray(schema.allOf)) {
    parts.push(...schema.allOf.filter((b) => !isConstraintOnly(b)).map((b) => typeFromSchema(b, ctx, inner)));
  }
  const meaningful = parts.filter((p) => p.kind !== K.UnknownKeyword);
  if (meaningful.length === 0) return keywordType(K.UnknownKeyword);
  return intersection(meaningful);
}

function baseType(schema: JsonSchema, ctx: SchemaContext, seen: ReadonlySet<JsonSchema>): ts.TypeNode | undefined {
  const types = schemaTypes(schema);
  if (types.length === 0) return undefined;
  return union(types.map((t) => {
    switch (t) {
      case 'string': return keywordType(K.StringKeyword);
      case 'integer':
      case 'number': return keywordType(K.NumberKeyword);
      case 'boolean': return keywordType(K.BooleanKeyword);
      case 'null': return f.createLiteralTypeNode(f.createNull());
      case 'object': return objectType(schema, ctx, seen);
      case 'array': return arrayType(schema, ctx, seen);
      default: return keywordType(K.UnknownKeyword);
    }
  }));
}

function objectType(schema: JsonSchema, ctx: SchemaContext, seen: ReadonlySet<JsonSchema>): ts.TypeNode {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const props = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
  const members: ts.TypeElement[] = Object.entries(props).map(([key, prop]) => {
    const name = isIdentifier(key) ? f.createIdentifier(key) : str(key);
    const optional = required.has(key) ? undefined : f.createToken(K.QuestionToken);
    const signature = f.createPropertySignature(undefined, name, optional, typeFromSchema(prop, ctx, seen));
    return typeof prop === 'object' && prop !== null ? withJsDoc(signature, docLines(prop)) : signature;
  });
  const extra = schema.additionalProperties;
  const closed = extra === false && !schema.patternProperties;
  if (!closed) {
    // An index signature must admit every declared property, so a typed one is only exact when there are none.
    const valueType = members.length === 0 && typeof extra === 'object' && extra !== null && !schema.patternProperties
      ? typeFromSchema(extra, ctx, seen)
      : keywordType(K.UnknownKeyword);
    members.push(f.createIndexSignature(undefined, [f.createParameterDeclaration(undefined, undefined, 'key', undefined, keywordType(K.StringKeyword))], valueType));
  }
  if (members.length === 0) return typeRef('Record', [keywordType(K.StringKeyword), keywordType(K.NeverKeyword)]);
  return f.createTypeLiteralNode(members);
}

function arrayType(schema: JsonSchema, ctx: SchemaContext, seen: ReadonlySet<JsonSchema>): ts.TypeNode {
  const items = schema.items;
  if (Array.isArray(items)) return f.createArrayTypeNode(union(items.map((i) => typeFromSchema(i, ctx, seen))));
  return f.createArrayTypeNode(typeFromSchema(items, ctx, seen));
}
