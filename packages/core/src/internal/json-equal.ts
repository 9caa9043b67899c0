/**
 * Deep equality of JSON values, as JSON Schema compares them for `enum` and `uniqueItems`: the
 * same primitive, or arrays with equal items in order, or objects with the same own keys and equal
 * values. Only own keys count and no prototype is consulted, so data with keys named `valueOf`,
 * `toString` or `constructor` compares like any other (fast-deep-equal, which ajv ships, calls
 * them and throws), and values from another realm (an iframe) compare alike. The collector's
 * engine (@tracklane/schema) and generated validators both use this one.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a !== a && b !== b; // NaN
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) if (!Object.prototype.hasOwnProperty.call(y, key) || !jsonEqual(x[key], y[key])) return false;
  return true;
}
