// The example web app, built with Vite as its package does, driven in Chromium like a visitor would.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SOURCE_ALIASES, openSite, startRig, type Rig } from './harness.js';
import { eventually } from '../helpers/eventually.js';

let rig: Rig;
let outDir: string;
beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-web-app-'));
  await build({
    root: path.join(ROOT, 'examples/web-app'),
    configFile: path.join(ROOT, 'examples/web-app/vite.config.ts'),
    logLevel: 'warn',
    resolve: { alias: SOURCE_ALIASES },
    build: { outDir, emptyOutDir: true },
  });
  rig = await startRig({ site: outDir, appId: 'acme-web' });
});
afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
  rmSync(outDir, { recursive: true, force: true });
});

const schemasLanded = () => rig.good().map((e) => e.event.schema.split('/')[1]);

describe('examples/web-app', () => {
  it('holds events until the banner is answered, sends typed events to the collector, and remembers the answer', async () => {
    const context = await rig.launch();
    const page = await openSite(context, rig.pageUrl());
    await expect.poll(() => page.isVisible('#consent')).toBe(true);
    await page.click('#search'); // analytics: pending, held in memory
    await page.click('#order'); // necessary: sent at once
    await eventually(() => schemasLanded().includes('order_completed'), { timeoutMs: 10_000, intervalMs: 50, what: 'order_completed' });
    expect(schemasLanded()).toEqual(['order_completed']);
    await page.click('#accept-all');
    await page.click('#signup');
    await eventually(() => schemasLanded().length === 4, { timeoutMs: 10_000, intervalMs: 50, what: 'the held events and signup' });
    expect(schemasLanded().sort()).toEqual(['feature_used', 'order_completed', 'page_view', 'signup']);
    const signup = rig.good().find((e) => e.event.schema.includes('/signup/'))!;
    expect(signup.event.data.email).toMatch(/^[0-9a-f]{64}$/); // x-pii: hash, applied in the browser before storing
    expect(signup.consent).toMatchObject({ purposes: { analytics: 'granted', marketing: 'granted' }, source: 'banner' });
    expect(rig.bad()).toEqual([]);
    await page.reload();
    await page.waitForFunction(() => 'tracker' in window);
    expect(await page.isVisible('#consent')).toBe(false);
    await context.close();
  });
});
