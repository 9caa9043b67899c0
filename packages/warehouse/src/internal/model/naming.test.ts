import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveModel, tableNameFor } from './derive-model.js';
import { fitIdentifier, MAX_IDENTIFIER_BYTES } from './naming.js';

const bytes = (name: string): number => Buffer.byteLength(name, 'utf8');
/** The README's rule, written out again: the first 54 bytes, `_`, 8 hex digits of the whole name's SHA-256. */
const shortened = (name: string, head: string): string => `${head}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
const a63 = 'a'.repeat(63);

describe('fitIdentifier: names over 63 bytes (PostgreSQL truncates them)', () => {
  it.each([
    ['a short name stays', 'com_acme_signup_1', 'com_acme_signup_1'],
    ['63 bytes stay', a63, a63],
    ['64 bytes: 54 of them, _ and a hash', `${a63}b`, shortened(`${a63}b`, 'a'.repeat(54))],
    // é is two bytes: `a` and 26 of them are 53, a 27th would end at byte 55, past 54: it is left out.
    ['a multi-byte character is never cut in two', `a${'é'.repeat(40)}`, shortened(`a${'é'.repeat(40)}`, `a${'é'.repeat(26)}`)],
  ])('%s', (_what, given, want) => {
    expect(fitIdentifier(given)).toBe(want);
    expect(bytes(fitIdentifier(given))).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
  });

  it('two names that share their first 63 bytes get two names, the same ones every time', () => {
    const [one, two] = [fitIdentifier(`${a63}_one`), fitIdentifier(`${a63}_two`)];
    expect(one).not.toBe(two);
    expect([fitIdentifier(`${a63}_one`), fitIdentifier(`${a63}_two`)]).toEqual([one, two]);
  });
});

describe('deriveModel: long names', () => {
  const vendor = 'com.example.analytics.platform';
  const name = 'checkoutPaymentMethodSelectedWithSavedCard';
  const prefix = 'shippingAddressValidationResultFromTheThirdPartyAddressProvider';
  const model = deriveModel([
    {
      self: { vendor, name, format: 'jsonschema', version: '1-0-0' },
      type: 'object',
      'x-tracklane': { kind: 'event' },
      properties: { [`${prefix}Street`]: { type: 'string', description: 'Street.' }, [`${prefix}Postcode`]: { type: 'string' }, plan: { type: 'string' } },
    },
  ]);
  const family = [...model.families.values()][0]!;

  it('a table name over 63 bytes is shortened, in either role, each from its whole name', () => {
    const plain = 'com_example_analytics_platform_checkout_payment_method_selected_with_saved_card_1';
    expect(tableNameFor(family, 'event')).toBe(shortened(plain, plain.slice(0, 54)));
    // The README's example ("Naming").
    expect(tableNameFor(family, 'event')).toBe('com_example_analytics_platform_checkout_payment_method_a1107aba');
    expect(tableNameFor(family, 'entity')).toBe(shortened(`contexts_${plain}`, `contexts_${plain}`.slice(0, 54)));
  });

  it('two properties whose columns share their first 63 bytes are two columns, no conflict; the comment keeps the full name', () => {
    const street = 'shipping_address_validation_result_from_the_third_party_address_provider_street';
    const postcode = 'shipping_address_validation_result_from_the_third_party_address_provider_postcode';
    expect(street.slice(0, 63)).toBe(postcode.slice(0, 63));
    expect(family.columns.map((c) => [c.name, c.comment])).toEqual([
      [shortened(street, street.slice(0, 54)), `Street. [full name: ${street}]`],
      [shortened(postcode, postcode.slice(0, 54)), `[full name: ${postcode}]`],
      ['plan', undefined],
    ]);
    expect(family.versions.get('1-0-0')?.conflicts).toEqual([]);
  });
});
