import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AccessControl, type KeyPlacement } from './access-control.js';

const access = new AccessControl([
  { key: 'sk_server' },
  { key: 'pk_web', kind: 'browser', origins: ['https://shop.test'] },
]);
const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('AccessControl.check: where a key may be presented', () => {
  it.each<[string, Record<string, string>, string, KeyPlacement, string]>([
    // [case, headers, query, placement, outcome: ok or the failure reason]
    ['server key in the header', { authorization: 'Bearer sk_server' }, '', 'header', 'ok'],
    ['server key in the header, beacon route', { authorization: 'Bearer sk_server' }, '', 'header-or-query', 'ok'],
    ['server key in ?key=, beacon route', {}, 'key=sk_server', 'header-or-query', 'server_key_in_url'],
    ['server key in ?key=, header-only route', {}, 'key=sk_server', 'header', 'key_in_url_not_allowed'],
    ['browser key in ?key=, beacon route', { origin: 'https://shop.test' }, 'key=pk_web', 'header-or-query', 'ok'],
    ['browser key in ?key=, no Origin (a pixel)', {}, 'key=pk_web', 'header-or-query', 'ok'],
    ['browser key in ?key=, header-only route', { origin: 'https://shop.test' }, 'key=pk_web', 'header', 'key_in_url_not_allowed'],
    ['unknown key in ?key=, beacon route', {}, 'key=nope', 'header-or-query', 'unknown_key'],
    ['empty ?key=', {}, 'key=', 'header-or-query', 'missing_key'],
    ['the header wins over ?key=', { authorization: 'Bearer sk_server' }, 'key=nope', 'header', 'ok'],
    ['server key from a browser', { authorization: 'Bearer sk_server', origin: 'https://shop.test' }, '', 'header', 'origin_not_allowed'],
    ['browser key from another origin', { origin: 'https://evil.test' }, 'key=pk_web', 'header-or-query', 'origin_not_allowed'],
  ])('%s → %s', (_name, headers, query, placement, outcome) => {
    const decision = access.check(request(headers), new URL(`http://collector/v1/batch?${query}`), placement);
    expect(decision.ok ? 'ok' : decision.reason).toBe(outcome);
  });

  it('names a configured key presented the wrong way by its short hash, an unknown one not at all', () => {
    const wrongPlace = access.check(request({}), new URL('http://collector/i?key=sk_server'), 'header-or-query');
    expect(wrongPlace).toMatchObject({ ok: false, status: 401, keyId: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(JSON.stringify(wrongPlace)).not.toContain('sk_server');
    expect(access.check(request({}), new URL('http://collector/i?key=sk_guess'), 'header-or-query')).toMatchObject({ ok: false, keyId: undefined });
  });
});
