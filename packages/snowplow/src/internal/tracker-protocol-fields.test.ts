import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TP2_FIELDS, TP2_SELF_DESCRIBING_FIELDS } from './tracker-protocol-fields.js';

/** The tp2 fields docs/design.md's envelope table names, in its last column. */
function fieldsOfTheDesign(): string[] {
  const design = readFileSync(new URL('../../../../docs/design.md', import.meta.url), 'utf8');
  const table = design.slice(design.indexOf('| field | what it holds | Snowplow tp2 field |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.flatMap((row) => [...(row.split('|').at(-2) ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!));
}

describe('the tp2 field table', () => {
  it('names every tp2 field of the design\'s envelope table, and no other', () => {
    const inTable = [...Object.values(TP2_FIELDS), ...Object.values(TP2_SELF_DESCRIBING_FIELDS).flatMap((field) => [field.json, field.base64])];
    expect(new Set(fieldsOfTheDesign())).toEqual(new Set(inTable));
  });

  it('gives each envelope field its own tp2 field', () => {
    const values = Object.values(TP2_FIELDS);
    expect(new Set(values).size).toBe(values.length);
  });
});
