import { declaredTypes, declaresType } from './declared-types.js';
import type { Report } from './rules.js';
import { isRecord, type SubschemaPlace } from './subschemas.js';

/**
 * `root-object`: an event's or entity's data is a JSON object (core refuses anything else), so the
 * root should say so and declare its properties: without them there is no type to generate.
 */
export function checkRootObject(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  if (!place.root) return;
  if (!declaresType(node, 'object')) report('root-object', '/type', 'the root should have "type": "object": event and entity data is a JSON object');
  else if (!isRecord(node['properties'])) report('root-object', '/properties', 'the root object declares no properties');
}

/**
 * `required-defined`: a required name that is not a declared property is a typo or a leftover.
 * In a closed object (`additionalProperties: false`) no data can be valid; in an open one every
 * event must carry a field no one declared, typed or documented.
 */
export function checkRequiredDefined(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  const required = node['required'];
  const properties = node['properties'];
  if (!Array.isArray(required) || !isRecord(properties)) return; // a branch adding `required` to its parent's properties
  const patterns = isRecord(node['patternProperties']) ? Object.keys(node['patternProperties']).flatMap(toRegExp) : [];
  const closed = node['additionalProperties'] === false;
  required.forEach((name, i) => {
    if (typeof name !== 'string' || Object.hasOwn(properties, name) || patterns.some((p) => p.test(name))) return;
    const consequence = closed ? 'and additionalProperties is false: no data is valid' : 'every event must carry an undeclared field';
    report('required-defined', `${place.pointer}/required/${i}`, `"${name}" is required but not a declared property, ${consequence}`);
  });
}

/**
 * `optional-null`: following igluctl, an optional property also accepts `null`, so a tracker can
 * send an explicit "no value" and the warehouse column is nullable by contract.
 */
export function checkOptionalNull(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  if (!place.property || place.property.required) return;
  const types = declaredTypes(node);
  const enumeration = node['enum'];
  const typeRefusesNull = types !== undefined && !types.has('null');
  const enumRefusesNull = Array.isArray(enumeration) && !enumeration.includes(null);
  if (typeRefusesNull) report('optional-null', `${place.pointer}/type`, `optional property "${place.property.name}" does not accept null: add "null" to its type`);
  else if (enumRefusesNull) report('optional-null', `${place.pointer}/enum`, `optional property "${place.property.name}" does not accept null: add null to its enum`);
}

function toRegExp(pattern: string): RegExp[] {
  try {
    return [new RegExp(pattern, 'u')];
  } catch {
    return []; // the meta-schema check reports it
  }
}

