/**
 * Globals that every runtime Tracklane supports (browsers, Node >= 20, web workers, edge runtimes)
 * provides with the same behaviour. packages/core compiles with `lib: ["ES2022"]` and no `@types`,
 * so anything not declared here or in ES2022 (window, process, Buffer, fetch, ...) fails to
 * typecheck in core. Keep this list short and the signatures to the portable subset.
 * Only core's own tsconfig.json includes this file; it is not part of the published types, so
 * core's public API must not mention these declarations.
 */

/** A timer id: a number in browsers, a `Timeout` object (which has `unref`) in Node. */
interface UniversalTimerHandle {
  /** Node only: lets the process exit while the timer is pending. Call as `handle.unref?.()`. */
  unref?(): unknown;
}

declare function setTimeout(callback: () => void, ms?: number): UniversalTimerHandle;
declare function clearTimeout(handle: UniversalTimerHandle | undefined): void;
declare function queueMicrotask(callback: () => void): void;

declare class TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
}

/** WHATWG URL (browsers, Node, workers, edge runtimes); the read-only subset core needs. */
declare class URL {
  constructor(url: string, base?: string | URL);
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  toString(): string;
}
