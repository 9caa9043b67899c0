/**
 * One error base class for the whole SDK. Every error has a stable `code` from
 * {@link TracklaneErrorCode}, so callers branch on codes, never on messages.
 */
export const TracklaneErrorCode = {
  /** A tracker or destination was configured with an invalid option. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** An event or schema URI did not have the expected shape. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** A transport could not reach its endpoint (network error, timeout). */
  TRANSPORT: 'TRANSPORT',
  /** An event store failed to read or write. */
  STORE: 'STORE',
  /** A plugin threw while enriching an event. */
  PLUGIN: 'PLUGIN',
  /** A hook supplied by the host application threw. */
  HOOK: 'HOOK',
  /** A schema could not be read or compiled (collector, codegen). */
  INVALID_SCHEMA: 'INVALID_SCHEMA',
  /** A sink (raw store, Kafka) cannot take writes right now. */
  SINK_UNAVAILABLE: 'SINK_UNAVAILABLE',
} as const;

export type TracklaneErrorCode = (typeof TracklaneErrorCode)[keyof typeof TracklaneErrorCode];

const BRAND = Symbol.for('tracklane.error');

/**
 * The base class of every error the SDK throws or reports. `Code` is the set of codes: the SDK's
 * own ({@link TracklaneErrorCode}), or a tool's (the codegen's `CodegenError` extends this class).
 */
export class TracklaneError<Code extends string = TracklaneErrorCode> extends Error {
  readonly code: Code;
  /** Marks instances so {@link isTracklaneError} works across realms and bundle copies. */
  readonly [BRAND] = true;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TracklaneError';
    this.code = code;
  }
}

export function isTracklaneError(value: unknown): value is TracklaneError<string> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
