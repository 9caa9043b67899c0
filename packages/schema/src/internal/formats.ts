import type * as core from '@tracklane/core';

/** A format the engine checks: the name of the `@tracklane/core` function that checks it, and what it applies to. */
export interface FormatCheck {
  /** Export of `@tracklane/core`; generated validators import it by this name. */
  readonly check: keyof typeof core & `is${string}`;
  /** The JSON type the format applies to (other values pass). */
  readonly type: 'string' | 'number';
}

/**
 * Every format the engine checks, by name: those of ajv-formats' "full" mode, with the same
 * verdicts, each defined once in `@tracklane/core`. Formats not listed here (and ajv-formats'
 * `float`, `double`, `password`, `binary`, which accept anything) are not checked.
 */
export const FORMATS: Readonly<Record<string, FormatCheck>> = {
  date: { check: 'isDate', type: 'string' },
  time: { check: 'isTime', type: 'string' },
  'date-time': { check: 'isDateTime', type: 'string' },
  'iso-time': { check: 'isIsoTime', type: 'string' },
  'iso-date-time': { check: 'isIsoDateTime', type: 'string' },
  duration: { check: 'isDuration', type: 'string' },
  uri: { check: 'isUri', type: 'string' },
  'uri-reference': { check: 'isUriReference', type: 'string' },
  'uri-template': { check: 'isUriTemplate', type: 'string' },
  url: { check: 'isUrl', type: 'string' },
  email: { check: 'isEmail', type: 'string' },
  hostname: { check: 'isHostname', type: 'string' },
  ipv4: { check: 'isIpv4', type: 'string' },
  ipv6: { check: 'isIpv6', type: 'string' },
  regex: { check: 'isRegex', type: 'string' },
  uuid: { check: 'isUuid', type: 'string' },
  'json-pointer': { check: 'isJsonPointer', type: 'string' },
  'json-pointer-uri-fragment': { check: 'isJsonPointerUriFragment', type: 'string' },
  'relative-json-pointer': { check: 'isRelativeJsonPointer', type: 'string' },
  byte: { check: 'isByte', type: 'string' },
  int32: { check: 'isInt32', type: 'number' },
  int64: { check: 'isInt64', type: 'number' },
};

/** Formats ajv-formats defines as accepting every value: known (no "unknown format"), never failing. */
export const UNCHECKED_FORMATS: readonly string[] = ['float', 'double', 'password', 'binary'];
