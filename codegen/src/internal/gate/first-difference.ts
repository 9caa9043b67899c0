import { isRecord, pointerSegment } from '../lint/subschemas.js';

/**
 * The JSON pointer of the first place (keys in sorted order) where two JSON values differ, or
 * `undefined` when they are equal. Key order and formatting are not differences.
 */
export function firstDifference(a: unknown, b: unknown, pointer = ''): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${pointer}/${i}`;
      const found = firstDifference(a[i], b[i], `${pointer}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const at = `${pointer}/${pointerSegment(key)}`;
      if (!Object.hasOwn(a, key) || !Object.hasOwn(b, key)) return at;
      const found = firstDifference(a[key], b[key], at);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return Object.is(a, b) || (a === 0 && b === 0) ? undefined : pointer;
}
