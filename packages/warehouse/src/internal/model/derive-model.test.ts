import { describe, expect, it } from 'vitest';
import { columnTypeOf } from './column-type.js';
import { deriveModel, tableNameFor } from './derive-model.js';
import { snakeCase } from './naming.js';

const schema = (name: string, version: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  self: { vendor: 'com.acme', name, format: 'jsonschema', version },
  type: 'object',
  properties,
  ...extra,
});

describe('snakeCase', () => {
  it.each([
    ['userId', 'user_id'],
    ['user_id', 'user_id'],
    ['HTTPStatusCode', 'http_status_code'],
    ['com.acme', 'com_acme'],
    ['com.snowplowanalytics.snowplow', 'com_snowplowanalytics_snowplow'],
    ['add-to-cart', 'add_to_cart'],
    ['linkClick', 'link_click'],
    ['page2View', 'page2_view'],
    ['a b', 'a_b'],
  ])('%s -> %s', (given, want) => expect(snakeCase(given)).toBe(want));
});

describe('columnTypeOf', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['string', { type: 'string' }, 'VARCHAR'],
    ['nullable string', { type: ['string', 'null'] }, 'VARCHAR'],
    ['date-time', { type: 'string', format: 'date-time' }, 'TIMESTAMPTZ'],
    ['date', { type: 'string', format: 'date' }, 'DATE'],
    ['email', { type: 'string', format: 'email' }, 'VARCHAR'],
    ['integer', { type: 'integer' }, 'BIGINT'],
    ['number', { type: 'number' }, 'DOUBLE'],
    ['integer or number', { type: ['integer', 'number', 'null'] }, 'DOUBLE'],
    ['boolean', { type: 'boolean' }, 'BOOLEAN'],
    ['object', { type: 'object', properties: { a: { type: 'string' } } }, 'JSON'],
    ['array of strings', { type: 'array', items: { type: 'string' } }, 'VARCHAR[]'],
    ['array of integers', { type: 'array', items: { type: 'integer' } }, 'BIGINT[]'],
    ['array of objects', { type: 'array', items: { type: 'object' } }, 'JSON'],
    ['tuple', { type: 'array', items: [{ type: 'string' }] }, 'JSON'],
    ['two types', { type: ['string', 'integer'] }, 'JSON'],
    ['string enum without type', { enum: ['a', 'b', null] }, 'VARCHAR'],
    ['no type', { anyOf: [{ type: 'string' }] }, 'JSON'],
    ['x-pii hash on an integer', { type: 'integer', 'x-pii': 'hash' }, 'VARCHAR'],
    ['x-pii redact', { type: 'string', format: 'email', 'x-pii': 'redact' }, 'VARCHAR'],
    ['x-pii drop keeps its type', { type: 'integer', 'x-pii': 'drop' }, 'BIGINT'],
  ])('%s', (_name, given, want) => expect(columnTypeOf(given)).toBe(want));
});

describe('deriveModel', () => {
  it('one table per MODEL; its columns are the union of the versions, in order of appearance', () => {
    const model = deriveModel([
      schema('signUp', '1-1-0', { plan: { type: 'string' }, referrer: { type: 'string' }, seats: { type: 'integer' } }),
      schema('signUp', '1-0-0', { plan: { type: 'string', description: 'The plan.' }, userEmail: { type: 'string', 'x-pii': 'hash', description: 'Email.' } }),
      schema('signUp', '1-0-1', { plan: { type: 'string', description: 'The chosen plan.' }, referrer: { type: 'string' } }),
      schema('signUp', '2-0-0', { plan: { type: 'integer' } }),
    ]);
    expect([...model.families.keys()]).toEqual(['com.acme/signUp/jsonschema/1', 'com.acme/signUp/jsonschema/2']);
    const one = model.families.get('com.acme/signUp/jsonschema/1')!;
    expect(tableNameFor(one, 'event')).toBe('com_acme_sign_up_1');
    expect(one.columns.map(({ name, type, since }) => [name, type, since])).toEqual([
      ['plan', 'VARCHAR', '1-0-0'],
      ['user_email', 'VARCHAR', '1-0-0'],
      ['referrer', 'VARCHAR', '1-0-1'],
      ['seats', 'BIGINT', '1-1-0'],
    ]);
    expect(one.columns.map((c) => c.comment)).toEqual(['The chosen plan.', 'Email. [x-pii: hash]', undefined, undefined]);
    expect(one.columns[1]!.lenient).toBe(true);
    expect([...one.versions.keys()]).toEqual(['1-0-0', '1-0-1', '1-1-0']);
    expect([...one.versions.values()].every((v) => v.conflicts.length === 0)).toBe(true);
    // A new MODEL is a new table, whatever its types.
    const two = model.families.get('com.acme/signUp/jsonschema/2')!;
    expect(tableNameFor(two, 'event')).toBe('com_acme_sign_up_2');
    expect(two.columns.map((c) => c.type)).toEqual(['BIGINT']);
  });

  it('a type change inside a MODEL marks that version, not the MODEL', () => {
    const model = deriveModel([
      schema('order', '1-0-0', { total: { type: 'number' }, note: { type: 'string' } }),
      schema('order', '1-0-1', { total: { type: 'string' }, note: { type: 'string' } }),
      schema('order', '1-0-2', { total: { type: 'number' }, extra: { type: 'boolean' } }),
    ]);
    const family = model.families.get('com.acme/order/jsonschema/1')!;
    expect(family.columns.map((c) => [c.name, c.type])).toEqual([['total', 'DOUBLE'], ['note', 'VARCHAR'], ['extra', 'BOOLEAN']]);
    expect(family.versions.get('1-0-0')!.conflicts).toEqual([]);
    expect(family.versions.get('1-0-1')!.conflicts).toEqual(['/properties/total is VARCHAR in 1-0-1; the column total is DOUBLE (since 1-0-0): a type change inside MODEL 1']);
    expect(family.versions.get('1-0-2')!.conflicts).toEqual([]);
  });

  it('two properties with one column name: the later one is a conflict of its version', () => {
    const model = deriveModel([schema('user', '1-0-0', { userId: { type: 'string' } }), schema('user', '1-0-1', { userId: { type: 'string' }, user_id: { type: 'string' } })]);
    expect(model.families.get('com.acme/user/jsonschema/1')!.versions.get('1-0-1')!.conflicts).toEqual(['/properties/user_id and /properties/userId (since 1-0-0) both name the column user_id']);
  });

  it("the loader's own column names are kept free: a property named like one gets a `_`", () => {
    const model = deriveModel([schema('thing', '1-0-0', { eventId: { type: 'string' }, schema_version: { type: 'integer' }, position: { type: 'integer' }, eventDate: { type: 'string' } })]);
    expect(model.families.get('com.acme/thing/jsonschema/1')!.columns.map((c) => c.name)).toEqual(['event_id_', 'schema_version_', 'position_', 'event_date_']);
  });

  it('the declared role owns the plain name; the other role gets Snowplow-style prefixes', () => {
    const model = deriveModel([
      schema('user', '1-0-0', {}, { 'x-tracklane': { kind: 'entity' } }),
      schema('click', '1-0-0', {}, { 'x-tracklane': { kind: 'event' } }),
      schema('web_page', '1-0-0', {}),
    ]);
    const family = (name: string) => model.families.get(`com.acme/${name}/jsonschema/1`)!;
    expect([tableNameFor(family('user'), 'entity'), tableNameFor(family('user'), 'event')]).toEqual(['com_acme_user_1', 'unstruct_event_com_acme_user_1']);
    expect([tableNameFor(family('click'), 'event'), tableNameFor(family('click'), 'entity')]).toEqual(['com_acme_click_1', 'contexts_com_acme_click_1']);
    expect([tableNameFor(family('web_page'), 'event'), tableNameFor(family('web_page'), 'entity')]).toEqual(['com_acme_web_page_1', 'contexts_com_acme_web_page_1']);
  });

  it('skips what is not a self-describing schema with a SchemaVer version', () => {
    expect(deriveModel([{ type: 'object' }, { self: { vendor: 'a', name: 'b', format: 'jsonschema', version: '1-0' } }]).families.size).toBe(0);
  });
});
