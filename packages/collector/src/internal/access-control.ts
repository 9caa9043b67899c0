import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WriteKeyConfig } from './config.js';

export type AccessDecision =
  | { ok: true; key: WriteKeyConfig; keyId: string; allowOrigin: string | undefined }
  | { ok: false; status: 401 | 403; message: string; allowOrigin: string | undefined };

/**
 * Write keys and CORS. The key comes from `Authorization: Bearer <key>` or, for `sendBeacon` which
 * cannot set headers, the `key` query parameter. A request from a browser (with `Origin`) needs a
 * browser key that lists that origin. Keys are compared in constant time and never logged: logs
 * carry `keyId`, a short hash.
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

  check(req: IncomingMessage, url: URL): AccessDecision {
    const origin = req.headers.origin;
    const preflightOk = this.allowsPreflightFrom(origin) ? origin : undefined;
    const presented = bearer(req.headers.authorization) ?? url.searchParams.get('key') ?? undefined;
    if (!presented) return { ok: false, status: 401, message: 'missing write key', allowOrigin: preflightOk };
    const digest = createHash('sha256').update(presented).digest();
    const match = this.keys.find((k) => timingSafeEqual(k.digest, digest));
    if (!match) return { ok: false, status: 401, message: 'unknown write key', allowOrigin: preflightOk };
    if (origin !== undefined) {
      const allowed = match.config.kind === 'browser' && (match.config.origins ?? []).includes(origin);
      if (!allowed) return { ok: false, status: 403, message: 'origin not allowed for this write key', allowOrigin: undefined };
      return { ok: true, key: match.config, keyId: match.keyId, allowOrigin: origin };
    }
    return { ok: true, key: match.config, keyId: match.keyId, allowOrigin: undefined };
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
