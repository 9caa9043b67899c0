import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from './generate.js';
import { scratchDir, typecheck } from './internal/testing/typecheck.js';

const PLAN = join(import.meta.dirname, '../../examples/tracking-plan/schemas');

/**
 * Type tests of the generated API, compiled with tsc --strict. Each `@ts-expect-error` must meet
 * an error, or tsc reports the directive as unused, so every misuse below is proven not to compile.
 */
const USAGE = `
import { expectTypeOf } from 'vitest';
import type { SelfDescribing, TrackerLike } from '@tracklane/core';
import { createProductEntity, trackSignup, trackCheckoutStarted, trackPageView, type Signup, type Product, type UserTrackOptions } from './index.js';

declare const tracker: TrackerLike;

// What is accepted
expectTypeOf(trackSignup).parameter(1).toEqualTypeOf<Signup>();
expectTypeOf(trackSignup).returns.toEqualTypeOf<string | undefined>();
expectTypeOf<Signup['plan']>().toEqualTypeOf<'free' | 'team' | 'enterprise'>();
expectTypeOf<Signup['referral_code']>().toEqualTypeOf<string | null | undefined>();
expectTypeOf(createProductEntity).returns.toEqualTypeOf<SelfDescribing<Product>>();
expectTypeOf<UserTrackOptions>().not.toHaveProperty('purpose');
expectTypeOf<UserTrackOptions>().not.toHaveProperty('pii');
trackSignup(tracker, { email: 'a@b.c', plan: 'free' });
trackSignup(tracker, { email: 'a@b.c', plan: 'team', referral_code: null, utm_campaign: 'spring' }, { trueTimestamp: 0, entities: [createProductEntity({ sku: 's', name: 'n', price: 1, currency: 'EUR' })] });
trackPageView(tracker, { path: '/pricing', title: null });

// A missing required field
// @ts-expect-error plan is required
trackSignup(tracker, { email: 'a@b.c' });
// An extra field
// @ts-expect-error the schema has additionalProperties: false
trackSignup(tracker, { email: 'a@b.c', plan: 'free', nickname: 'x' });
// A wrong enum value
// @ts-expect-error 'gold' is not a plan
trackSignup(tracker, { email: 'a@b.c', plan: 'gold' });
// A wrong type
// @ts-expect-error total is a number
trackCheckoutStarted(tracker, { cart_id: 'c', items: [{ sku: 's', quantity: 1, unit_price: 2 }], currency: 'EUR', total: '12' });
// @ts-expect-error quantity inside an array item is a number
trackCheckoutStarted(tracker, { cart_id: 'c', items: [{ sku: 's', quantity: '1', unit_price: 2 }], currency: 'EUR', total: 12 });
// The consent purpose comes from the schema, not the caller
// @ts-expect-error purpose is not an option
trackSignup(tracker, { email: 'a@b.c', plan: 'free' }, { purpose: 'analytics' });
// Data and options are separate parameters
// @ts-expect-error options are not part of the data
trackPageView(tracker, { path: '/', entities: [] });
`;

describe('generated API types', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    dirs.push(scratchDir('types', true));
    return dirs[dirs.length - 1]!;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each(['off', 'dev', 'always'] as const)('reject misuse at compile time (validators %s)', { timeout: 60_000 }, (validators) => {
    const target = dir();
    const { code } = generate({ schemas: [PLAN], validators });
    expect(typecheck(target, { 'index.ts': code, 'usage.ts': USAGE })).toEqual([]);
  });

  it('compiles in a project that also has the DOM lib and Node types (its own process/console declarations do not clash)', { timeout: 60_000 }, () => {
    const { code } = generate({ schemas: [PLAN], validators: 'dev' });
    expect(typecheck(dir(), { 'index.ts': code, 'usage.ts': USAGE }, { lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: ['node'] })).toEqual([]);
  });

  it('a stray @ts-expect-error is reported, so the checks above are not vacuous', () => {
    const target = dir();
    const { code } = generate({ schemas: [PLAN] });
    const fine = "import type { TrackerLike } from '@tracklane/core';\nimport { trackSignup } from './index.js';\ndeclare const tracker: TrackerLike;\n// @ts-expect-error\ntrackSignup(tracker, { email: 'a@b.c', plan: 'free' });\n";
    expect(typecheck(target, { 'index.ts': code, 'usage.ts': fine })).toEqual([expect.stringContaining("Unused '@ts-expect-error' directive")]);
  });
});
