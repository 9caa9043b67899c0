// Names over PostgreSQL's 63 bytes (NAMEDATALEN - 1), which the server would cut silently: the
// loader shortens them itself (README, "Naming"), alike on PostgreSQL and DuckDB, so the
// documented names are the ones to query on both.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWarehouse, type LoadSummary } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import { openPostgresTarget } from '../src/internal/target/postgres-target.js';
import type { Target } from '../src/internal/target/target.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { eventId, goodLine, query, Scratch } from './store-fixture.js';

const server = postgresForThisFile();

/** The README's rule for a name over 63 bytes: its first 54 bytes, `_`, the first 8 hex digits of the whole name's SHA-256. */
const documented = (name: string): string => (name.length <= 63 ? name : `${name.slice(0, 54)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`);

const VENDOR = 'com.example.analytics.platform';
const NAME = 'checkoutPaymentMethodSelectedWithSavedCard';
const PREFIX = 'shippingAddressValidationResultFromTheThirdPartyAddressProvider';
// 81, 79 and 81 bytes; the two columns share their first 63.
const TABLE = documented('com_example_analytics_platform_checkout_payment_method_selected_with_saved_card_1');
const STREET = 'shipping_address_validation_result_from_the_third_party_address_provider_street';
const POSTCODE = 'shipping_address_validation_result_from_the_third_party_address_provider_postcode';
const SELECT = `select event_id, "${documented(STREET)}" as street, "${documented(POSTCODE)}" as postcode from "${TABLE}" order by event_id`;

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema(VENDOR, NAME, '1-0-0', { [`${PREFIX}Street`]: { type: 'string', description: 'The street.' }, [`${PREFIX}Postcode`]: { type: 'string' } }, { 'x-tracklane': { kind: 'event' } });
  const schema = `iglu:${VENDOR}/${NAME}/jsonschema/1-0-0`;
  scratch.append('good/p/part-a.jsonl', [
    goodLine({ id: eventId(1), schema, data: { [`${PREFIX}Street`]: '1 Main St', [`${PREFIX}Postcode`]: '69001' } }),
    goodLine({ id: eventId(2), schema, data: { [`${PREFIX}Postcode`]: '75002' } }),
  ]);
});
afterEach(() => scratch.remove());

async function load(target: Target): Promise<LoadSummary> {
  try {
    return await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)) });
  } finally {
    await target.close();
  }
}

const WANT = [
  { event_id: eventId(1), street: '1 Main St', postcode: '69001' },
  { event_id: eventId(2), street: null, postcode: '75002' },
];

describe('names over 63 bytes', { timeout: 60_000 }, () => {
  it('PostgreSQL: a long table name and two columns that share their first 63 bytes load without collision, queried by their documented names; the comments keep the full names', async () => {
    const url = await server().createDatabase(server().freshName('names'));
    expect(await load(await openPostgresTarget({ url }))).toMatchObject({ events: 2, quarantined: 0 });
    expect(await pgQuery(url, SELECT)).toEqual(WANT);
    const columns = await pgQuery(url, `select attname as name, col_description(attrelid, attnum) as comment from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped order by attnum`, [`"${TABLE}"`]);
    expect(columns.slice(2)).toEqual([
      { name: documented(STREET), comment: `The street. [full name: ${STREET}]` },
      { name: documented(POSTCODE), comment: `[full name: ${POSTCODE}]` },
    ]);
    // A later load finds the table and its columns by the same names (one the server had cut would not match).
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: eventId(3), schema: `iglu:${VENDOR}/${NAME}/jsonschema/1-0-0`, data: { [`${PREFIX}Street`]: '2 Side St' } })]);
    expect(await load(await openPostgresTarget({ url }))).toMatchObject({ events: 1, quarantined: 0 });
    expect(await pgQuery(url, SELECT)).toEqual([...WANT, { event_id: eventId(3), street: '2 Side St', postcode: null }]);
    expect(await pgQuery(url, `select count(*)::int as n from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped`, [`"${TABLE}"`])).toEqual([{ n: 4 }]);
  });

  it('DuckDB: the same names, so the same query runs on both', async () => {
    expect(await load(await openDuckDbTarget({ file: scratch.db }))).toMatchObject({ events: 2, quarantined: 0 });
    expect(await query(scratch.db, SELECT)).toEqual(WANT);
  });
});
