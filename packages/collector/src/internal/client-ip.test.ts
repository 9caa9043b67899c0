import { describe, expect, it } from 'vitest';
import { truncateIp } from './client-ip.js';

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
