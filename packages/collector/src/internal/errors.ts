import { TracklaneError, isTracklaneError } from '@tracklane/core';

/**
 * The collector's errors: a `TracklaneError` (the SDK's one error base class) whose codes are the
 * collector's. Every error has a stable `code` from {@link CollectorErrorCode}; the HTTP status the
 * collector answers for it follows from the code ({@link httpStatus}).
 */
export const CollectorErrorCode = {
  /** A body over `maxBodyBytes` (declared or streamed), or a gzip body over `maxInflatedBytes` once inflated. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** A body that cannot be read as text: not valid gzip, or not UTF-8. */
  BODY_UNREADABLE: 'BODY_UNREADABLE',
  /** A Content-Encoding other than identity or gzip. */
  UNSUPPORTED_ENCODING: 'UNSUPPORTED_ENCODING',
  /** A body that is not JSON. */
  BODY_NOT_JSON: 'BODY_NOT_JSON',
  /** A body that is JSON but not a batch: no `events` array, or not a tp2 `payload_data` object. */
  BATCH_SHAPE: 'BATCH_SHAPE',
  /** A batch of more than `maxEventsPerBatch` events, or nested too deep to parse. */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  /** No validation worker can check the body (one stopped, or the pool is closed); the client may retry. */
  VALIDATION_UNAVAILABLE: 'VALIDATION_UNAVAILABLE',
  /** The collector holds as many requests or body bytes as its limits allow (`maxConcurrentRequests`, `maxInflightBytes`); the client may retry. */
  OVERLOADED: 'OVERLOADED',
  /**
   * An error the collector did not expect while checking a body (a bug): answered 500, which trackers
   * retry, never a 4xx that would make them drop good events. Its message names the error's class and
   * where it was thrown, never the error's own message (which may quote the body).
   */
  INTERNAL: 'INTERNAL',
  /** The Kafka sink's options do not fit the cluster: its topics are missing and `createTopics` is false. */
  KAFKA_CONFIG: 'KAFKA_CONFIG',
  /** The file sink's options are unusable: an instance id that cannot name a file. */
  FILE_SINK_CONFIG: 'FILE_SINK_CONFIG',
  /** Another process holds the instance id in this data directory (its lock file), or took it over. */
  INSTANCE_LOCKED: 'INSTANCE_LOCKED',
  /** A replay's `from` is not a raw store: missing, not a directory, or without `good/` and `bad/`. */
  REPLAY_SOURCE: 'REPLAY_SOURCE',
  /** A replay's target did not answer as a collector: a redirect, a 4xx, or a body that is not its answer to the batch. */
  REPLAY_TARGET: 'REPLAY_TARGET',
} as const;

export type CollectorErrorCode = (typeof CollectorErrorCode)[keyof typeof CollectorErrorCode];

/** The HTTP status the collector answers for each code; `undefined`: never answered over HTTP. */
const HTTP_STATUS = {
  BODY_TOO_LARGE: 413,
  BODY_UNREADABLE: 400,
  UNSUPPORTED_ENCODING: 415,
  BODY_NOT_JSON: 400,
  BATCH_SHAPE: 400,
  BATCH_TOO_LARGE: 413,
  VALIDATION_UNAVAILABLE: 503,
  OVERLOADED: 503,
  INTERNAL: 500,
  KAFKA_CONFIG: undefined,
  FILE_SINK_CONFIG: undefined,
  INSTANCE_LOCKED: undefined,
  REPLAY_SOURCE: undefined,
  REPLAY_TARGET: undefined,
} as const satisfies Record<CollectorErrorCode, number | undefined>;

export function httpStatus<Code extends CollectorErrorCode>(code: Code): (typeof HTTP_STATUS)[Code] {
  return HTTP_STATUS[code];
}

export class CollectorError extends TracklaneError<CollectorErrorCode> {
  constructor(code: CollectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CollectorError';
  }
}

/**
 * Whether `value` is a CollectorError (of `code`, when given). By the SDK's brand and the name, not by
 * class: it holds across realms and copies of the package, and for errors rebuilt from a worker's message.
 */
export function isCollectorError<Code extends CollectorErrorCode>(value: unknown, code?: Code): value is CollectorError & { code: Code } {
  return isTracklaneError(value) && value.name === 'CollectorError' && (code === undefined || value.code === code);
}

/** Stack frames an INTERNAL error's message names: enough to find the bug. */
const INTERNAL_FRAMES = 3;

/**
 * `error`, which the collector did not expect, as a CollectorError INTERNAL (answered 500) whose
 * message is safe to log: the error's class and its first stack frames, never its own message, which
 * may quote the body (V8's JSON errors do) or a value of an event.
 */
export function internalError(error: unknown): CollectorError {
  const name = typeof error === 'object' && error !== null && typeof (error as Error).name === 'string' ? (error as Error).name : typeof error;
  const stack = typeof error === 'object' && error !== null && typeof (error as Error).stack === 'string' ? (error as Error).stack! : '';
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, INTERNAL_FRAMES)
    .map((line) => line.trim());
  return new CollectorError(CollectorErrorCode.INTERNAL, `unexpected ${name}${frames.length > 0 ? ` ${frames.join(' ')}` : ''}`, { cause: error });
}
