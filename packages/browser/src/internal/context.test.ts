import type { Envelope } from '@tracklane/core';
import { describe, expect, it } from 'vitest';
import { deviceContext, filterUrl, pageContext } from './context.js';

const blank = () => ({}) as Envelope;

describe('filterUrl', () => {
  it.each([
    ['drops denied parameters by default', 'https://a.io/p?utm_source=x&email=j%40x.io&Token=1#top', undefined, 'https://a.io/p?utm_source=x#top'],
    ['keeps only allowed parameters', 'https://a.io/p?utm_source=x&q=shoes&uid=7', { allow: ['utm_source', 'q'] }, 'https://a.io/p?utm_source=x&q=shoes'],
    ['drops a custom deny list', 'https://a.io/?q=1&ref=2', { deny: ['REF'] }, 'https://a.io/?q=1'],
    ['drops a fragment that carries parameters', 'https://a.io/cb#access_token=abc', undefined, 'https://a.io/cb'],
    ['returns nothing for an unparseable URL', 'not a url', undefined, ''],
  ])('%s', (_name, url, query, want) => {
    expect(filterUrl(url, query)).toBe(want);
  });
});

describe('page and device context', () => {
  it('adds url (filtered), referrer and title, and follows navigation', () => {
    history.replaceState(null, '', '/pricing?plan=pro&email=a@b.c');
    document.title = 'Pricing';
    const plugin = pageContext();
    const envelope = blank();
    plugin.enrich(envelope, Date.now());
    expect(envelope.page).toEqual({ url: `${location.origin}/pricing?plan=pro`, title: 'Pricing' });
    const again = blank();
    plugin.enrich(again, Date.now());
    expect(again.page).toBe(envelope.page); // reused (frozen) while nothing changes
    history.replaceState(null, '', '/checkout');
    plugin.enrich(again, Date.now());
    expect(again.page?.url).toBe(`${location.origin}/checkout`);
  });

  it('each field can be switched off', () => {
    const envelope = blank();
    pageContext({ url: false, title: false }).enrich(envelope, Date.now());
    expect(envelope.page).toEqual({});
    deviceContext({ userAgent: false, screen: false }).enrich(envelope, Date.now());
    expect(Object.keys(envelope.device!).sort()).toEqual(['language', 'timezone']);
  });

  it('adds user agent, language, timezone and screen', () => {
    const envelope = blank();
    deviceContext().enrich(envelope, Date.now());
    expect(envelope.device).toMatchObject({ userAgent: navigator.userAgent, language: navigator.language });
    expect(envelope.device!.screen).toMatch(/^\d+x\d+$/);
    expect(envelope.device!.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
