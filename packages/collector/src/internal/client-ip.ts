import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Truncates a client IP before it is stored: the last octet of IPv4 (/24), the last 80 bits of
 * IPv6 (/48). Enough for coarse geo, not enough to single out a household.
 */
export function truncateIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return mapped.split('.').slice(0, 3).concat('0').join('.');
  if (isIPv6(mapped)) {
    const groups = expandIpv6(mapped);
    return `${groups.slice(0, 3).join(':')}::`;
  }
  return undefined;
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * The client's address: the socket's peer, or behind `trustedProxies` proxies that each append the
 * address they were connected from to `X-Forwarded-For`, the entry that many places from its right
 * end. Entries further left were written by the client itself, which can put anything there: taking
 * the first would let one client pass for many (and dodge a per-address rate limit).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string | undefined {
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((hop) => hop.trim()).filter(Boolean);
    // Fewer entries than trusted proxies: the nearest proxy saw the client directly, the leftmost entry.
    if (hops.length > 0) return hops[Math.max(0, hops.length - trustedProxies)];
  }
  return req.socket.remoteAddress;
}

/**
 * What the per-address rate limit counts by: an IPv4 address, or the /64 of an IPv6 address (one
 * host usually holds a whole /64, and could take a fresh address per request).
 */
export function rateLimitAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv6(mapped)) return `${expandIpv6(mapped).slice(0, 4).join(':')}::/64`;
  return mapped;
}
