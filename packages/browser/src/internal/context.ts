import type { Envelope, EnvelopeDevice, EnvelopePage, TrackerPlugin } from '@tracklane/core';

export interface PageContextOptions {
  /** Include the page URL (`page.url`), with filtered query parameters. @default true */
  url?: boolean;
  /** Include the referrer (`page.referrer`), with filtered query parameters. @default true */
  referrer?: boolean;
  /** Include the document title (`page.title`). @default true */
  title?: boolean;
  /**
   * Query parameters kept in `url` and `referrer`, since URLs carry personal data. With `allow`,
   * only those are kept; otherwise those in `deny` are removed. Names compare case-insensitively.
   * @default { deny: DEFAULT_DENIED_PARAMS }
   */
  query?: { allow: readonly string[] } | { deny: readonly string[] };
}

export interface DeviceContextOptions {
  /** Include the user agent (`device.userAgent`). @default true */
  userAgent?: boolean;
  /** Include the browser language (`device.language`). @default true */
  language?: boolean;
  /** Include the IANA time zone (`device.timezone`). @default true */
  timezone?: boolean;
  /** Include the screen size, `<width>x<height>` (`device.screen`). @default true */
  screen?: boolean;
}

/** Query parameters that commonly carry credentials or personal data. */
export const DEFAULT_DENIED_PARAMS: readonly string[] = ['email', 'token', 'access_token', 'id_token', 'code', 'password', 'key', 'secret', 'phone'];

/** Removes query parameters (and a fragment with parameters) that the lists do not let through. */
export function filterUrl(url: string, query: PageContextOptions['query'] = { deny: DEFAULT_DENIED_PARAMS }): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  const allow = 'allow' in query;
  const names = new Set((allow ? query.allow : query.deny).map((n) => n.toLowerCase()));
  // A name is kept when it is listed in `allow`, or not listed in `deny`.
  for (const name of [...parsed.searchParams.keys()]) if (names.has(name.toLowerCase()) !== allow) parsed.searchParams.delete(name);
  if (parsed.hash.includes('=')) parsed.hash = '';
  return parsed.href;
}

/**
 * `page`: url, referrer and title, read at each event (single-page apps change them). The object is
 * reused (frozen) while nothing changes, so core serializes it once.
 */
export function pageContext(options: PageContextOptions = {}): TrackerPlugin {
  let href: string | undefined;
  let title: string | undefined;
  let page: EnvelopePage = {};
  const clip = (url: string): string => filterUrl(url, options.query).slice(0, 8192);
  return {
    name: 'page',
    enrich(envelope: Envelope) {
      // document.URL is the same URL as location.href (pushState and hash changes included) at a
      // twentieth of the cost in Chromium, where the href getter serializes the URL on every read.
      if (document.URL !== href || document.title !== title) {
        href = document.URL;
        title = document.title;
        page = Object.freeze({
          ...(options.url !== false ? { url: clip(href) } : {}),
          ...(options.referrer !== false && document.referrer ? { referrer: clip(document.referrer) } : {}),
          ...(options.title !== false && title ? { title: title.slice(0, 2000) } : {}),
        });
      }
      envelope.page = page;
    },
  };
}

/** `device`: user agent, language, timezone and screen size, read once. */
export function deviceContext(options: DeviceContextOptions = {}): TrackerPlugin {
  let device: EnvelopeDevice | undefined;
  return {
    name: 'device',
    enrich(envelope: Envelope) {
      device ??= Object.freeze({
        ...(options.userAgent !== false ? { userAgent: navigator.userAgent.slice(0, 2000) } : {}),
        ...(options.language !== false && navigator.language ? { language: navigator.language.slice(0, 64) } : {}),
        ...(options.timezone !== false ? { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 64) } : {}),
        ...(options.screen !== false && typeof screen !== 'undefined' ? { screen: `${screen.width | 0}x${screen.height | 0}` } : {}),
      });
      envelope.device = device;
    },
  };
}
