import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../check.js';
import { runCli } from '../cli/run-cli.js';
import { selfDescribing, type TestSchema } from '../testing/schema-dir.js';
import { scratchDir } from '../testing/typecheck.js';
import { annotation, escapeData, escapeProperty } from './github-annotations.js';

const plan = { type: ['string', 'null'], maxLength: 20, description: 'Plan.' };
const seats = { type: ['integer', 'null'], minimum: 1, maximum: 500, description: 'Seats.' };
const event = (properties: Record<string, unknown> = { plan }, extra: TestSchema = {}): TestSchema => ({
  description: 'Signed up.', type: 'object', properties, additionalProperties: false,
  'x-tracklane': { kind: 'event', owner: 'growth', consent: 'marketing' }, ...extra,
});

/** A real git repository with `schemas/` committed as `main`; returns helpers to change the work tree. */
function repository(schemas: Record<string, TestSchema>) {
  const root = scratchDir('repo');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  git('config', 'commit.gpgsign', 'false');
  const fileOf = (uri: string): string => {
    const [vendor, name, version] = uri.split('/') as [string, string, string];
    return join(root, 'schemas', vendor, name, 'jsonschema', version);
  };
  const write = (uri: string, body: TestSchema, indent = 2): void => {
    mkdirSync(join(fileOf(uri), '..'), { recursive: true });
    writeFileSync(fileOf(uri), JSON.stringify(selfDescribing(uri, body), null, indent));
  };
  for (const [uri, body] of Object.entries(schemas)) write(uri, body);
  git('add', '.');
  git('commit', '-q', '-m', 'published');
  const dir = join(root, 'schemas');
  return { root, dir, fileOf, write, remove: (uri: string) => rmSync(fileOf(uri)), gate: () => check({ schemas: [dir], base: 'main' }) };
}

const summary = (result: ReturnType<typeof check>) => ({
  ok: result.ok,
  errors: result.findings.filter((f) => f.severity === 'error').map((f) => `${f.error.rule} ${f.error.pointer} ${f.error.message}`),
  base: result.base && { added: result.base.added.map((a) => `${a.uri} ${a.from ?? '-'} ${a.declared ?? '-'} ${a.real ?? '-'}`), changed: result.base.changed, removed: result.base.removed, unchanged: result.base.unchanged },
});

const V1 = 'iglu:com.acme/signup/jsonschema/1-0-0';

describe('tracklane check --base <ref>: the pull-request gate', () => {
  it('passes when the published versions are as they were (reformatting is not a change)', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-0', event(), 4);
    expect(summary(repo.gate())).toEqual({ ok: true, errors: [], base: { added: [], changed: [], removed: [], unchanged: 1 } });
  });

  it('fails when a published version changed, at the first pointer that differs, in the work-tree file', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-0', event({ plan: { ...plan, maxLength: 30 } }));
    const result = repo.gate();
    expect(summary(result)).toMatchObject({ ok: false, errors: [`immutable /properties/plan/maxLength published version ${V1} changed since main (first at /properties/plan/maxLength); publish a new version instead`], base: { changed: [V1] } });
    expect(result.findings[0]?.error.file).toBe(repo.fileOf('com.acme/signup/1-0-0'));
  });

  it('reports a published version that no longer loads as changed, beside its load error, not as removed', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-0', event({ plan: { ...plan, type: 'strin' } }));
    const result = summary(repo.gate());
    expect(result.errors).toEqual([
      expect.stringMatching(/^json-schema \/properties\/plan\/type the collector cannot load this schema/),
      `immutable /properties/plan/type published version ${V1} changed since main (first at /properties/plan/type); publish a new version instead`,
    ]);
    expect(result.base).toMatchObject({ changed: [V1], removed: [] });
  });

  it('fails when a published version was removed, and lists it', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event(), 'com.acme/view/1-0-0': event() });
    repo.remove('com.acme/view/1-0-0');
    expect(summary(repo.gate())).toEqual({
      ok: false,
      errors: ['immutable  published version iglu:com.acme/view/jsonschema/1-0-0 (at main) was removed: events of that version would be refused'],
      base: { added: [], changed: [], removed: ['iglu:com.acme/view/jsonschema/1-0-0'], unchanged: 1 },
    });
  });

  it('lists a new version with its classified step, and passes when the bump is honest', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-1', event({ plan, seats }));
    expect(summary(repo.gate())).toEqual({ ok: true, errors: [], base: { added: ['iglu:com.acme/signup/jsonschema/1-0-1 iglu:com.acme/signup/jsonschema/1-0-0 ADDITION ADDITION'], changed: [], removed: [], unchanged: 1 } });
  });

  it('fails a new version whose declared bump is smaller than the change', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-1', event({ plan, seats }, { required: ['seats'] }));
    const result = summary(repo.gate());
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([expect.stringMatching(/^schemaver \/properties\/seats 1-0-0 -> 1-0-1 declares ADDITION but the change is MODEL/)]);
    expect(result.base?.added).toEqual(['iglu:com.acme/signup/jsonschema/1-0-1 iglu:com.acme/signup/jsonschema/1-0-0 ADDITION MODEL']);
  });

  it('treats a schema directory the base does not have as all new', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    const other = join(repo.root, 'more');
    mkdirSync(join(other, 'com.acme/view/jsonschema'), { recursive: true });
    writeFileSync(join(other, 'com.acme/view/jsonschema/1-0-0'), JSON.stringify(selfDescribing('com.acme/view/1-0-0', event())));
    const result = check({ schemas: [repo.dir, other], base: 'main' });
    expect(summary(result).base).toEqual({ added: ['iglu:com.acme/view/jsonschema/1-0-0 - - -'], changed: [], removed: [], unchanged: 1 });
  });

  it('refuses a ref that is not a commit, and a directory outside the repository', () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    expect(() => check({ schemas: [repo.dir], base: 'no-such-branch' })).toThrow(/--base no-such-branch is not a commit/);
    expect(() => check({ schemas: [repo.dir], base: '--output=x' })).toThrow(/is not a commit/);
    expect(() => check({ schemas: [repo.dir, scratchDir('elsewhere')], base: 'main' })).toThrow(/outside the git repository/);
  });
});

describe('tracklane check --format', () => {
  const run = async (args: string[], cwd: string) => {
    let stdout = '';
    const code = await runCli(args, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) });
    return { code, stdout };
  };

  it('github: one annotation per finding, on the line of its pointer, the file from the repository root wherever the check runs', async () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-0', event({ plan: { ...plan, maxLength: 30 } }));
    repo.write('com.acme/view/1-0-0', event({ plan: { ...plan, maxLenght: 3 } }));
    const { code, stdout } = await run(['check', '--schemas', '.', '--base', 'main', '--format', 'github'], repo.dir);
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      '::warning file=schemas/com.acme/view/jsonschema/1-0-0,line=19,title=known-keyword::/properties/plan/maxLenght: unknown keyword "maxLenght" (did you mean "maxLength"?): not JSON Schema draft-04, the collector ignores it',
      `::error file=schemas/com.acme/signup/jsonschema/1-0-0,line=17,title=immutable::/properties/plan/maxLength: published version ${V1} changed since main (first at /properties/plan/maxLength); publish a new version instead`,
      expect.stringMatching(/^base main \([0-9a-f]{12}\): 0 published versions unchanged, 1 changed, 0 removed, 1 new$/),
      'new  iglu:com.acme/view/jsonschema/1-0-0 (first version)',
      'tracklane check: 2 schemas, 0 version steps, 1 errors, 1 warnings',
      '',
    ]);
  });

  it('json: the report carries what --base found', async () => {
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    repo.write('com.acme/signup/1-0-1', event({ plan, seats }));
    const { code, stdout } = await run(['check', '--schemas', 'schemas', '--base', 'main', '--format', 'json'], repo.root);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, errors: [], base: { ref: 'main', added: [{ uri: 'iglu:com.acme/signup/jsonschema/1-0-1', from: V1, declared: 'ADDITION', real: 'ADDITION' }], changed: [], removed: [], unchanged: 1 } });
  });

  it('examples/ci runs the gate as documented: the workflow\'s command passes on an honest pull request', async () => {
    const workflow = readFileSync(join(import.meta.dirname, '../../../../examples/ci/tracklane-check.yml'), 'utf8');
    const command = /run: npx tracklane (.+)$/m.exec(workflow)?.[1];
    expect(command).toBe('check --base "$BASE_SHA" --format github');
    const repo = repository({ 'com.acme/signup/1-0-0': event() });
    const baseSha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.root, encoding: 'utf8' }).trim();
    repo.write('com.acme/signup/1-0-1', event({ plan, seats }));
    const args = command!.split(' ').map((arg) => (arg === '"$BASE_SHA"' ? baseSha : arg));
    const { code, stdout } = await run(args, repo.root); // schemas/ is the default directory
    expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining('new  iglu:com.acme/signup/jsonschema/1-0-1 (ADDITION after 1-0-0, declared ADDITION)') });
  });

  it.each([
    ['a message: line one\nand 100%', escapeData, 'a message: line one%0Aand 100%25'],
    ['a\r\nb', escapeData, 'a%0D%0Ab'],
    ['dir,with:colons%', escapeProperty, 'dir%2Cwith%3Acolons%25'],
  ])('escapes %j as GitHub workflow commands read it', (given, escape, want) => {
    expect(escape(given)).toBe(want);
  });

  it('writes an annotation without a file when the finding has none', () => {
    expect(annotation('error', 'schema directory not found', { title: 'schema-dir' })).toBe('::error title=schema-dir::schema directory not found');
  });
});
