import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaDir } from '../testing/schema-dir.js';
import { scratchDir } from '../testing/typecheck.js';
import { runCli } from './run-cli.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const run = async (args: string[], cwd = scratchDir('cwd'), stopWatching?: Promise<void>) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stopWatching });
  return { code, stdout, stderr };
};

const event = { description: 'Clicked.', type: 'object', properties: {}, additionalProperties: false, 'x-tracklane': { kind: 'event', owner: 'web', consent: 'analytics' } };

describe('tracklane CLI', () => {
  it('generate writes index.ts to --out and exits 0', async () => {
    const out = scratchDir('out');
    const { code, stdout } = await run(['generate', '--schemas', schemaDir({ 'com.acme/click/1-0-0': event }), '--out', out, '--validators', 'always']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/tracklane generate: 1 schemas, 1 types -> .*index\.ts in \d+ ms/);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain('export function trackClick(');
  });

  it('takes several --schemas directories', async () => {
    const out = scratchDir('out');
    const a = schemaDir({ 'com.acme/click/1-0-0': event });
    const b = schemaDir({ 'com.acme/view/1-0-0': event });
    expect((await run(['generate', '--schemas', a, '--schemas', b, '--out', out])).code).toBe(0);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toMatch(/trackClick[\s\S]*trackView/);
  });

  it('a broken schema directory gives errors naming file and pointer, exit 1, and no output', async () => {
    const out = join(scratchDir('out'), 'gen');
    const dir = schemaDir({ 'com.acme/click/1-0-0': '{"self": {"vendor": "com.acme"}}', 'com.acme/view/1-0-0': '{ nope' });
    const { code, stderr } = await run(['generate', '--schemas', dir, '--out', out], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('error com.acme/click/jsonschema/1-0-0#/self/name: self.name is undefined but the Iglu path says "click" [iglu-layout]');
    expect(stderr).toContain('error com.acme/view/jsonschema/1-0-0: invalid JSON');
    expect(stderr).toContain('2 errors, nothing written');
    expect(existsSync(out)).toBe(false);
  });

  it('generate and check exit 1 on an x-pii that is not hash, redact or drop, naming the file, the property and the value', async () => {
    const out = join(scratchDir('out'), 'gen');
    const dir = schemaDir({ 'com.acme/click/1-0-0': { ...event, properties: { email: { type: 'string', description: 'Mail.', 'x-pii': 'hsah' } } } });
    const line = 'error com.acme/click/jsonschema/1-0-0#/properties/email/x-pii: x-pii must be "hash", "redact" or "drop", not "hsah" [x-pii]';
    const generated = await run(['generate', '--schemas', dir, '--out', out], dir);
    expect(generated.code).toBe(1);
    expect(generated.stderr).toContain(line);
    expect(existsSync(out)).toBe(false);
    const checked = await run(['check', '--schemas', dir], dir);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(line);
  });

  it('check prints JSON with --format json and exits 1 on errors', async () => {
    const dir = schemaDir({ 'com.acme/click/1-0-0': { ...event, additionalProperties: true } });
    const { code, stdout } = await run(['check', '--schemas', dir, '--format', 'json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, errors: [{ severity: 'error', code: 'LINT', rule: 'event-additional-properties', pointer: '/additionalProperties', file: join(dir, 'com.acme/click/jsonschema/1-0-0') }] });
  });

  it('reads tracklane.config.json from the working directory; flags win over it', async () => {
    const cwd = scratchDir('project');
    schemaDirInto(cwd);
    writeFileSync(join(cwd, 'tracklane.config.json'), JSON.stringify({ schemas: ['plan'], out: 'gen', lint: { rules: { owner: 'off' } } }));
    expect((await run(['generate'], cwd)).code).toBe(0);
    expect(existsSync(join(cwd, 'gen/index.ts'))).toBe(true);
    expect((await run(['generate', '--out', 'other'], cwd)).code).toBe(0);
    expect(existsSync(join(cwd, 'other/index.ts'))).toBe(true);
    expect((await run(['check'], cwd)).code).toBe(0);
  });

  it.each([
    [['generate', '--bogus'], 2, "Unknown option '--bogus'"],
    [['frobnicate'], 2, 'unknown command "frobnicate"'],
    [[], 2, 'Usage: tracklane'],
    [['generate', '--validators', 'sometimes'], 1, 'validators must be off, dev or always'],
    [['check', '--format', 'xml', '--schemas', '.'], 1, '--format must be text, json or github, not xml'],
  ])('%j exits %i', async (args, want, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(want);
    expect(stderr).toContain(message);
  });

  it('generate --watch regenerates when a schema changes', { timeout: 20_000 }, async () => {
    const dir = schemaDir({ 'com.acme/click/1-0-0': event });
    const out = scratchDir('out');
    let stop!: () => void;
    const running = run(['generate', '--watch', '--schemas', dir, '--out', out], undefined, new Promise((resolve) => (stop = resolve)));
    await eventually(() => existsSync(join(out, 'index.ts')), { timeoutMs: 10_000, intervalMs: 25, what: 'the first generation' });
    const file = join(dir, 'com.acme/click/jsonschema/1-0-0');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.label = { type: 'string', description: 'Label.' };
    // The recursive watch may not have armed its subdirectories yet when the first generation lands:
    // a change saved in that instant can go unseen. Like a user, save it again (every 500 ms, longer than the 50 ms
    // debounce) until the code picks it up.
    await eventually(() => readFileSync(join(out, 'index.ts'), 'utf8').includes('label?: string') || (writeFileSync(file, JSON.stringify(schema)), false), {
      timeoutMs: 10_000,
      intervalMs: 500,
      what: 'the schema change regenerated',
    });
    stop();
    expect((await running).code).toBe(0);
  });
});

function schemaDirInto(cwd: string): void {
  const src = schemaDir({ 'com.acme/click/1-0-0': event });
  // A config names directories relative to itself: link the generated plan in as `plan`.
  symlinkSync(src, join(cwd, 'plan'));
}
