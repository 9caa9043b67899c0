import ts from 'typescript';
import type { ModelNames } from '../naming/assign-names.js';
import type { SchemaModel } from '../naming/group-models.js';
import { formatSchemaVer } from '../schemaver.js';
import { docLines } from './jsdoc.js';
import { collectPii } from './pii-rules.js';
import { schemaTypes, type SchemaContext } from './schema-context.js';
import { exportModifier, f, id, jsonExpression, keywordType, str, typeRef, withJsDoc } from './ts-helpers.js';
import { typeFromSchema } from './type-from-schema.js';

const K = ts.SyntaxKind;

/** Validation mode of generated code. */
export type ValidatorMode = 'off' | 'dev' | 'always';

/** What one model contributes to the module, and which core types it uses. */
export interface ModelOutput {
  statements: ts.Statement[];
  /** Entries of `TRACKING_PLAN`: each version's URI -> the consent purpose and PII marks it fixes. */
  plan: ts.PropertyAssignment[];
  uses: Set<'TrackerLike' | 'SelfDescribing' | 'EntityInput' | 'PiiRules' | 'TrackOptions'>;
}

/** Builds the validation statements for a model (see `validate/`); absent when validators are off. */
export type ValidatorEmitter = (model: SchemaModel, names: ModelNames, ctx: SchemaContext) => ts.Statement[];

/** The type, URI constant, PII rules, track function and entity factory of one schema model. */
export function emitModel(model: SchemaModel, names: ModelNames, ctx: SchemaContext, mode: ValidatorMode, validator?: ValidatorEmitter): ModelOutput {
  const { latest } = model;
  const meta = latest.meta;
  const out: ModelOutput = { statements: [], plan: [], uses: new Set() };
  const summary = [
    ...docLines({ description: latest.schema.description }),
    `Schema \`${latest.uri}\`${model.versions.length > 1 ? ` (versions ${model.versions.map((v) => formatSchemaVer(v.version)).join(', ')})` : ''}.`,
    ...(meta.owner ? [`Owner: ${meta.owner}.`] : []),
    ...(meta.consent ? [`Consent purpose: ${meta.consent}.`] : []),
    ...(meta.deprecated ? [`@deprecated ${meta.deprecated}`] : []),
  ];
  const type = f.createTypeAliasDeclaration(exportModifier(), names.type, undefined, typeFromSchema(latest.schema, ctx));
  out.statements.push(withJsDoc(type, summary));
  out.statements.push(constant(names.uri, str(latest.uri), false));
  const needsCast = !schemaTypes(latest.schema).every((t) => t === 'object') || schemaTypes(latest.schema).length === 0;
  const dataExpr = needsCast
    ? f.createAsExpression(f.createAsExpression(id('data'), keywordType(K.UnknownKeyword)), typeRef('Record', [keywordType(K.StringKeyword), keywordType(K.UnknownKeyword)]))
    : id('data');
  const event = f.createObjectLiteralExpression([f.createPropertyAssignment('schema', id(names.uri)), needsCast ? f.createPropertyAssignment('data', dataExpr) : f.createShorthandPropertyAssignment('data')]);
  const validation = mode !== 'off' && validator ? validator(model, names, ctx) : [];
  out.statements.push(...validation);
  const validated = validation.length > 0;
  // PII marks travel with the event (track options) and with entities (the entity object), so
  // core can hash, redact or drop them before anything is stored.
  const pii = collectPii(latest.schema, ctx);
  if (pii.length > 0) {
    out.uses.add('PiiRules');
    out.statements.push(constant(names.pii, jsonExpression(Object.fromEntries(pii)), false, typeRef('PiiRules')));
  }
  if (meta.kind !== 'entity') {
    const extra: ts.ObjectLiteralElementLike[] = [
      ...(meta.consent ? [f.createPropertyAssignment('purpose', str(meta.consent))] : []),
      ...(pii.length > 0 ? [f.createPropertyAssignment('pii', id(names.pii))] : []),
    ];
    // The options the schema fixes are one constant: a call without options of its own allocates nothing more.
    if (extra.length > 0) {
      out.uses.add('TrackOptions');
      out.statements.push(constant(names.options, f.createObjectLiteralExpression(extra), false, typeRef('TrackOptions')));
    }
    const options = extra.length === 0
      ? id('options')
      : f.createConditionalExpression(id('options'), undefined,
          f.createObjectLiteralExpression([f.createSpreadAssignment(id('options')), f.createSpreadAssignment(id(names.options))]), undefined, id(names.options));
    const call = f.createCallExpression(f.createPropertyAccessExpression(id('tracker'), 'track'), undefined, [event, options]);
    const body = [...(validated ? [guard(mode, names)] : []), f.createReturnStatement(call)];
    out.uses.add('TrackerLike');
    const fn = f.createFunctionDeclaration(exportModifier(), undefined, names.track, undefined, [
      param('tracker', typeRef('TrackerLike')),
      param('data', typeRef(names.type)),
      param('options', typeRef('UserTrackOptions'), true),
    ], f.createUnionTypeNode([keywordType(K.StringKeyword), keywordType(K.UndefinedKeyword)]), f.createBlock(body, true));
    out.statements.push(withJsDoc(fn, [`Tracks ${latest.name} (\`${latest.uri}\`)${meta.consent ? ` under consent purpose \`${meta.consent}\`` : ''}.`, ...(meta.deprecated ? [`@deprecated ${meta.deprecated}`] : [])]));
  }
  // Every version, so raw calls naming an older one get its own rules; the latest reuses the constants above.
  for (const version of model.versions) {
    const isLatest = version === latest;
    const marks = isLatest ? pii : collectPii(version.schema, { ...ctx, root: version.schema });
    const purpose = meta.kind === 'entity' ? undefined : version.meta.consent;
    const rules: ts.ObjectLiteralElementLike[] = [
      ...(purpose ? [f.createPropertyAssignment('purpose', str(purpose))] : []),
      ...(marks.length > 0 ? [f.createPropertyAssignment('pii', isLatest ? id(names.pii) : jsonExpression(Object.fromEntries(marks)))] : []),
    ];
    if (rules.length > 0) out.plan.push(f.createPropertyAssignment(str(version.uri), f.createObjectLiteralExpression(rules)));
  }
  if (meta.kind !== 'event') {
    const returnType = pii.length > 0 ? 'EntityInput' : 'SelfDescribing';
    out.uses.add(returnType);
    const entity = f.createObjectLiteralExpression([
      f.createPropertyAssignment('schema', id(names.uri)),
      f.createShorthandPropertyAssignment('data'),
      ...(pii.length > 0 ? [f.createPropertyAssignment('pii', id(names.pii))] : []),
    ]);
    const body = [...(validated ? [reportOnly(names)] : []), f.createReturnStatement(entity)];
    const fn = f.createFunctionDeclaration(exportModifier(), undefined, names.entity, undefined, [param('data', typeRef(names.type))],
      typeRef(returnType, [typeRef(names.type)]), f.createBlock(body, true));
    out.statements.push(withJsDoc(fn, [`Builds the ${latest.name} entity (\`${latest.uri}\`) to attach to events.`, ...(meta.deprecated ? [`@deprecated ${meta.deprecated}`] : [])]));
  }
  return out;
}

function param(name: string, type: ts.TypeNode, optional = false): ts.ParameterDeclaration {
  return f.createParameterDeclaration(undefined, undefined, name, optional ? f.createToken(K.QuestionToken) : undefined, type);
}

function constant(name: string, value: ts.Expression, exported: boolean, type?: ts.TypeNode): ts.VariableStatement {
  return f.createVariableStatement(exported ? exportModifier() : undefined,
    f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, value)], ts.NodeFlags.Const));
}

/** dev: report and send; always: report and do not send (see README, "Validator modes"). */
function guard(mode: ValidatorMode, names: ModelNames): ts.Statement {
  const check = f.createCallExpression(id('checkData'), undefined, [id(names.uri), id(names.validate), id('data')]);
  if (mode === 'dev') return f.createExpressionStatement(check);
  return f.createIfStatement(f.createPrefixUnaryExpression(K.ExclamationToken, check), f.createReturnStatement(id('undefined')));
}

function reportOnly(names: ModelNames): ts.Statement {
  return f.createExpressionStatement(f.createCallExpression(id('checkData'), undefined, [id(names.uri), id(names.validate), id('data')]));
}
