import { describe, expect, it } from 'vitest';
import type { LoadedSchema } from '../load/types.js';
import { parseSchemaVer } from '../schemaver.js';
import { assignNames } from './assign-names.js';
import { groupModels } from './group-models.js';
import { pascalCase, upperSnakeCase } from './identifiers.js';

const schema = (uri: string): LoadedSchema => {
  const [vendor, name, version] = uri.split('/') as [string, string, string];
  return { file: uri, vendor, name, format: 'jsonschema', version: parseSchemaVer(version)!, uri: `iglu:${vendor}/${name}/jsonschema/${version}`, schema: {}, source: '{}', meta: {} };
};

const typeNames = (uris: string[], overrides = {}): Record<string, string> => {
  const models = groupModels(uris.map(schema));
  const names = assignNames(models, overrides);
  return Object.fromEntries(models.map((m) => [`${m.vendor}/${m.name}/${m.model}`, names.get(m)!.type]));
};

describe('naming', () => {
  it.each([
    ['link_click', 'LinkClick'],
    ['PerformanceNavigationTiming', 'PerformanceNavigationTiming'],
    ['instance-iglu-only', 'InstanceIgluOnly'],
    ['3d_secure', 'Schema3dSecure'],
  ])('pascalCase(%s) is %s', (given, want) => expect(pascalCase(given)).toBe(want));

  it.each([
    ['LinkClick', 'LINK_CLICK'],
    ['SignupV1', 'SIGNUP_V1'],
    ['HTTPRequest', 'HTTP_REQUEST'],
  ])('upperSnakeCase(%s) is %s', (given, want) => expect(upperSnakeCase(given)).toBe(want));

  it('gives the latest MODEL the plain name and older models a V<model> suffix', () => {
    expect(typeNames(['com.acme/signup/1-0-0', 'com.acme/signup/1-0-1', 'com.acme/signup/2-0-0'])).toEqual({
      'com.acme/signup/1': 'SignupV1',
      'com.acme/signup/2': 'Signup',
    });
  });

  it('prefixes a name used by two vendors with the fewest vendor segments that tell them apart', () => {
    expect(typeNames(['com.acme/click/1-0-0', 'io.other/click/1-0-0', 'com.acme/view/1-0-0'])).toEqual({
      'com.acme/click/1': 'AcmeClick',
      'io.other/click/1': 'OtherClick',
      'com.acme/view/1': 'View',
    });
    expect(typeNames(['com.acme/click/1-0-0', 'io.acme/click/1-0-0'])).toEqual({ 'com.acme/click/1': 'ComAcmeClick', 'io.acme/click/1': 'IoAcmeClick' });
  });

  it('does not depend on input order', () => {
    const uris = ['io.other/click/1-0-0', 'com.acme/click/2-0-0', 'com.acme/click/1-0-0', 'com.acme/click_v1/1-0-0'];
    const forward = typeNames(uris);
    expect(typeNames([...uris].reverse())).toEqual(forward);
    expect(new Set(Object.values(forward)).size).toBe(4);
  });

  it('keeps clear of the names the module itself uses', () => {
    expect(typeNames(['com.acme/track_options/1-0-0'])).toEqual({ 'com.acme/track_options/1': 'AcmeTrackOptions' });
  });

  it('applies naming overrides by vendor/name', () => {
    expect(typeNames(['com.acme/sgnup/1-0-0'], { 'com.acme/sgnup': 'Signup' })).toEqual({ 'com.acme/sgnup/1': 'Signup' });
  });
});
