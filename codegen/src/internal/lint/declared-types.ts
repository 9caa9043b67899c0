/** The types a subschema's `type` names, or `undefined` when it names none (any type is allowed). */
export function declaredTypes(node: Record<string, unknown>): Set<string> | undefined {
  const type = node['type'];
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  return undefined;
}

/** Whether the subschema may be a value of `type` (it declares it, or declares no type). */
export function allowsType(node: Record<string, unknown>, type: string): boolean {
  const types = declaredTypes(node);
  return types === undefined || types.has(type) || (type === 'integer' && types.has('number'));
}

/** Whether the subschema declares `type` among its types. */
export function declaresType(node: Record<string, unknown>, type: string): boolean {
  return declaredTypes(node)?.has(type) ?? false;
}
