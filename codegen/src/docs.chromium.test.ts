import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocs } from './docs.js';
import { scratchDir } from './internal/testing/typecheck.js';

const CHROMIUM = '/usr/bin/chromium';
const PLAN = join(import.meta.dirname, '../../examples/tracking-plan/schemas');
/** Screenshots are kept as test artifacts. */
const ARTIFACTS = join(import.meta.dirname, '../../test-results/codegen-docs');

// `pnpm test` installs Debian's chromium first (test/support/ensure-test-prerequisites.mjs).
describe('the docs site in headless Chromium', () => {
  let browser: Browser;
  const out = scratchDir('docs-site');
  buildDocs({ schemas: [PLAN], out });
  const url = (path: string): string => pathToFileURL(join(out, path)).href;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => browser?.close());

  const open = async (path: string) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file://')) external.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url(path));
    return { page, external, errors };
  };

  it('the index lists every schema, loads nothing from the network, and is screenshotted', async () => {
    const { page, external, errors } = await open('index.html');
    await expect.poll(() => page.locator('#count').textContent()).toBe('10 of 10 schemas');
    await page.screenshot({ path: join(ARTIFACTS, 'index.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('search finds an event by name, by field and by owner', async () => {
    const { page } = await open('index.html');
    const visible = () => page.locator('#schemas tbody tr:not([hidden]) td:first-child a').allTextContents();
    await page.fill('#search', 'checkout');
    expect(await visible()).toEqual(['checkout_started']);
    await page.fill('#search', 'utm_campaign');
    expect(await visible()).toEqual(['signup']);
    await page.fill('#search', 'payments');
    expect(await visible()).toEqual(['checkout_started', 'order_completed', 'product']);
    await page.fill('#search', 'payments necessary');
    expect(await visible()).toEqual(['order_completed']);
    await page.fill('#search', 'nothing-like-this');
    expect(await visible()).toEqual([]);
    expect(await page.locator('#none').isVisible()).toBe(true);
    await page.fill('#search', 'sign');
    await page.screenshot({ path: join(ARTIFACTS, 'index-search.png') });
    await page.click('text=signup');
    expect(await page.locator('h1').textContent()).toBe('signup');
    await page.close();
  });

  it('a schema page shows its fields and versions, and is screenshotted', async () => {
    const { page, external, errors } = await open('schemas/com.acme/signup.html');
    expect(await page.locator('section.version h2').first().textContent()).toBe('Version 1-0-1 (latest)');
    expect(await page.locator('table.fields').first().locator('tbody tr').count()).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, 'schema-signup.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
