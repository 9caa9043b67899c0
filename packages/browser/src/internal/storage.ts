// localStorage and cookies that never throw: private modes, disabled storage and full quotas are normal.

/** Reads a localStorage item; `undefined` when absent or when storage is unavailable. */
export function readStorage(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Writes (or, with `undefined`, removes) a localStorage item; false when storage is unavailable. */
export function writeStorage(key: string, value: string | undefined): boolean {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** The localStorage keys that start with `prefix`; none when storage is unavailable. */
export function storageKeys(prefix: string): string[] {
  const keys: string[] = [];
  try {
    for (let index = 0; index < localStorage.length; index++) {
      const key = localStorage.key(index);
      if (key?.startsWith(prefix)) keys.push(key);
    }
  } catch {
    // storage disabled
  }
  return keys;
}

export function readCookie(name: string): string | undefined {
  try {
    for (const part of document.cookie.split('; ')) {
      const at = part.indexOf('=');
      if (part.slice(0, at) === name) return decodeURIComponent(part.slice(at + 1));
    }
  } catch {
    // cookies disabled or a sandboxed document
  }
  return undefined;
}

export interface CookieOptions {
  /** `Domain` attribute of the identity cookies, e.g. `example.com` to share them with subdomains. @default the current host only */
  domain?: string;
  /** Lifetime of the identity cookies, in days. @default 365 */
  maxAgeDays?: number;
}

/** Writes a first-party cookie (`SameSite=Lax`, `Secure` on https); `undefined` deletes it. */
export function writeCookie(name: string, value: string | undefined, options: CookieOptions = {}): void {
  try {
    const maxAge = value === undefined ? 0 : Math.round((options.maxAgeDays ?? 365) * 86_400);
    document.cookie =
      `${name}=${encodeURIComponent(value ?? '')}; Path=/; Max-Age=${maxAge}; SameSite=Lax` +
      (options.domain ? `; Domain=${options.domain}` : '') +
      (location.protocol === 'https:' ? '; Secure' : '');
  } catch {
    // cookies disabled
  }
}
