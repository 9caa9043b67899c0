/** Turns an Iglu name or vendor segment into PascalCase: `link_click` -> `LinkClick`, `PerformanceNavigationTiming` unchanged. */
export function pascalCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (joined === '') return 'Schema';
  return /^\d/.test(joined) ? `Schema${joined}` : joined;
}

/** `LinkClick` -> `LINK_CLICK`, `PerformanceNavigationTiming2` -> `PERFORMANCE_NAVIGATION_TIMING2`. */
export function upperSnakeCase(pascal: string): string {
  return pascal
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether a property name can be written without quotes. */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text) && !RESERVED_WORDS.has(text);
}

/** Words a generated type name may not take (the module's own names and global types it uses). */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'TrackerLike', 'TrackOptions', 'SelfDescribing', 'EntityInput', 'PiiRules', 'UserTrackOptions',
  'Violation', 'ViolationHandler', 'ScalarRules', 'Record', 'Omit', 'Readonly', 'Array', 'Object', 'String',
  'Number', 'Boolean', 'Date', 'Error', 'Function', 'Symbol', 'Promise', 'Map', 'Set', 'RegExp',
  'JSON', 'Math', 'Partial', 'Required', 'Pick', 'Exclude', 'Extract', 'NonNullable', 'Schema',
]);

const RESERVED_WORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with',
]);
