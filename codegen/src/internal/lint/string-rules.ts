import { createSchemaEngine } from '@tracklane/schema';
import { declaresType } from './declared-types.js';
import type { Report } from './rules.js';
import type { SubschemaPlace } from './subschemas.js';

let known: ReadonlySet<string> | undefined;

/** The formats the collector checks: those of its engine (ajv-formats and core's `date-time`). Read once, on first use. */
export function knownFormats(): ReadonlySet<string> {
  known ??= new Set(Object.keys(createSchemaEngine().formats));
  return known;
}

/** Redshift's VARCHAR limit, the smallest of the warehouses Snowplow loads into (igluctl's limit too). */
export const WAREHOUSE_MAX_LENGTH = 65_535;

/**
 * `known-format`: the collector ignores a format it does not know, so `"format": "e-mail"`
 * checks nothing.
 */
export function checkKnownFormat(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  const format = node['format'];
  if (typeof format === 'string' && !knownFormats().has(format)) {
    report('known-format', `${place.pointer}/format`, `unknown format "${format}": the collector does not check it (known: ${[...knownFormats()].sort().join(', ')})`);
  }
}

/**
 * `string-max-length`: a string without `maxLength`, `enum` or a known `format` has no length a
 * warehouse column can be sized to (igluctl's stringLength).
 */
export function checkStringMaxLength(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  if (!declaresType(node, 'string') || node['maxLength'] !== undefined || node['enum'] !== undefined) return;
  const format = node['format'];
  if (typeof format === 'string' && knownFormats().has(format)) return;
  report('string-max-length', `${place.pointer}/maxLength`, 'a string has no maxLength (nor an enum or a known format): warehouses cannot size its column');
}

/** `warehouse-max-length`: a `maxLength` above what a warehouse VARCHAR holds; longer values would be truncated or refused at load. */
export function checkWarehouseMaxLength(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  const max = node['maxLength'];
  if (typeof max === 'number' && max > WAREHOUSE_MAX_LENGTH) {
    report('warehouse-max-length', `${place.pointer}/maxLength`, `maxLength ${max} is above the warehouse VARCHAR limit of ${WAREHOUSE_MAX_LENGTH}`);
  }
}
