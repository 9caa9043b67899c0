import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientAddress, rateLimitAddress, truncateIp } from './client-ip.js';

describe('truncateIp (before anything is stored)', () => {
  it.each([
    // IPv4: keep /24
    ['203.0.113.77', '203.0.113.0'],
    ['10.0.0.1', '10.0.0.0'],
    ['255.255.255.255', '255.255.255.0'],
    ['127.0.0.1', '127.0.0.0'],
    // IPv4-mapped IPv6 (what a dual-stack socket reports): treated as the IPv4 address
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['::ffff:127.0.0.1', '127.0.0.0'],
    // IPv6: keep /48
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::'],
    ['2001:DB8:ABCD:1::1', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['fe80::1', 'fe80:0:0::'],
    ['::1', '0:0:0::'],
    ['::', '0:0:0::'],
  ])('%s → %s', (ip, truncated) => {
    expect(truncateIp(ip)).toBe(truncated);
  });

  it.each([[undefined], [''], ['not-an-ip'], ['1.2.3'], ['1.2.3.4.5'], ['999.1.1.1'], ['2001:db8::g'], ['::ffff:999.0.0.1']])(
    'stores nothing for %j rather than something unparsed',
    (ip) => {
      expect(truncateIp(ip)).toBeUndefined();
    },
  );

  it('never keeps the host part of an IPv6 address', () => {
    const truncated = truncateIp('2a00:1450:4001:81c::200e')!;
    expect(truncated).toBe('2a00:1450:4001::');
    expect(truncated).not.toContain('81c');
    expect(truncated).not.toContain('200e');
  });
});

describe('clientAddress (behind trusted proxies, the hop they vouch for)', () => {
  const req = (forwarded: string | undefined, remote = '10.0.0.9') =>
    ({ headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;

  it.each<[string | undefined, number, string]>([
    // No proxy trusted: the peer, whatever the header claims.
    ['198.51.100.1', 0, '10.0.0.9'],
    // One proxy: the entry it appended (the rightmost); what the client wrote left of it is ignored.
    ['6.6.6.6, 198.51.100.1', 1, '198.51.100.1'],
    ['198.51.100.1', 1, '198.51.100.1'],
    // Two proxies: the second from the right.
    ['6.6.6.6, 198.51.100.1, 172.16.0.2', 2, '198.51.100.1'],
    // Fewer entries than proxies: the leftmost.
    ['198.51.100.1', 3, '198.51.100.1'],
    // No header behind a proxy: the peer.
    [undefined, 1, '10.0.0.9'],
    [' , ', 1, '10.0.0.9'],
  ])('X-Forwarded-For %j with %i trusted → %s', (forwarded, proxies, client) => {
    expect(clientAddress(req(forwarded), proxies)).toBe(client);
  });
});

describe('rateLimitAddress (what the per-address limit counts by)', () => {
  it.each([
    ['203.0.113.77', '203.0.113.77'],
    ['::ffff:203.0.113.77', '203.0.113.77'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3::/64'],
    ['2001:db8:85a3:8d3::1', '2001:db8:85a3:8d3::/64'],
    [undefined, 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(rateLimitAddress(ip)).toBe(key);
  });
});
