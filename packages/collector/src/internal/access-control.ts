import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WriteKeyConfig } from './config.js';

/** Why a request's key was refused: a metric label and a log field, never the key itself. */
export type AuthFailure = 'missing_key' | 'unknown_key' | 'key_in_url_not_allowed' | 'server_key_in_url' | 'origin_not_allowed';

export type AccessDecision =
  | { ok: true; key: WriteKeyConfig; keyId: string; allowOrigin: string | undefined }
  | {
      ok: false;
      status: 401 | 403;
      reason: AuthFailure;
      message: string;
      /** The short hash of a configured key that was presented in the wrong way; undefined for an unknown key. */
      keyId: string | undefined;
      allowOrigin: string | undefined;
    };

/**
 * Where a request may carry its key: `header` (`Authorization: Bearer`) only, or also the `key`
 * query parameter, for the requests that cannot set headers (a beacon, a pixel).
 */
export type KeyPlacement = 'header' | 'header-or-query';

const MESSAGES: Record<AuthFailure, string> = {
  missing_key: 'missing write key',
  unknown_key: 'unknown write key',
  key_in_url_not_allowed: 'send the write key as Authorization: Bearer (?key= is taken only from beacons and pixels)',
  server_key_in_url: 'a server key is taken only from the Authorization header, never from the URL',
  origin_not_allowed: 'origin not allowed for this write key',
};

/**
 * Write keys and CORS. The key comes from `Authorization: Bearer <key>`, or, on the requests that
 * cannot set headers (`sendBeacon`, a keepalive fetch on unload, a pixel), from the `key` query
 * parameter: there only browser keys are taken, since URLs end up in proxy and access logs and a
 * browser key is public anyway. A request from a browser (with `Origin`) needs a browser key that
 * lists that origin. Keys are compared in constant time and never logged: logs carry `keyId`, a
 * short hash.
 */
export class AccessControl {
  private readonly keys: { digest: Buffer; config: WriteKeyConfig; keyId: string }[];
  private readonly browserOrigins: Set<string>;

  constructor(keys: readonly WriteKeyConfig[]) {
    this.keys = keys.map((config) => {
      const digest = createHash('sha256').update(config.key).digest();
      return { digest, config, keyId: digest.toString('hex').slice(0, 8) };
    });
    this.browserOrigins = new Set(keys.filter((k) => k.kind === 'browser').flatMap((k) => k.origins ?? []));
  }

  /** Origins any browser key allows: enough to answer a CORS preflight, which carries no key. */
  allowsPreflightFrom(origin: string | undefined): boolean {
    return origin !== undefined && this.browserOrigins.has(origin);
  }

  check(req: IncomingMessage, url: URL, placement: KeyPlacement): AccessDecision {
    const origin = req.headers.origin;
    const preflightOk = this.allowsPreflightFrom(origin) ? origin : undefined;
    const fail = (status: 401 | 403, reason: AuthFailure, keyId?: string): AccessDecision => ({
      ok: false,
      status,
      reason,
      message: MESSAGES[reason],
      keyId,
      allowOrigin: status === 403 ? undefined : preflightOk,
    });
    const fromHeader = bearer(req.headers.authorization);
    const fromQuery = fromHeader === undefined ? url.searchParams.get('key') || undefined : undefined;
    const presented = fromHeader ?? fromQuery;
    if (presented === undefined) return fail(401, 'missing_key');
    const digest = createHash('sha256').update(presented).digest();
    const match = this.keys.find((k) => timingSafeEqual(k.digest, digest));
    if (fromQuery !== undefined && placement === 'header') return fail(401, 'key_in_url_not_allowed', match?.keyId);
    if (!match) return fail(401, 'unknown_key');
    const kind = match.config.kind ?? 'server';
    if (fromQuery !== undefined && kind !== 'browser') return fail(401, 'server_key_in_url', match.keyId);
    if (origin !== undefined) {
      const allowed = kind === 'browser' && (match.config.origins ?? []).includes(origin);
      if (!allowed) return fail(403, 'origin_not_allowed', match.keyId);
      return { ok: true, key: match.config, keyId: match.keyId, allowOrigin: origin };
    }
    return { ok: true, key: match.config, keyId: match.keyId, allowOrigin: undefined };
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
