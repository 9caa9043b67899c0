import { CollectorError, CollectorErrorCode } from './errors.js';

/**
 * One admitted request's share of the budget: the bytes it holds, charged as they arrive (a body
 * as received, then as inflated) and given back at once by `release()`, whatever ended the request.
 */
export interface InflightTicket {
  /** Counts `bytes` more; throws a CollectorError OVERLOADED (503) when the total would pass the budget's bytes. */
  readonly charge: (bytes: number) => void;
  /** Gives back the request's place and its bytes. Safe to call twice. */
  readonly release: () => void;
}

/**
 * The bound on work in flight across requests: how many batch requests at once (`maxRequests`) and
 * how many body bytes they hold together (`maxBytes`). A request beyond either is refused, not
 * queued: trackers retry a 503 after its `Retry-After`, and a queue would hold memory of its own.
 */
export class InflightBudget {
  private requests = 0;
  private bytes = 0;

  constructor(
    private readonly maxRequests: number,
    private readonly maxBytes: number,
  ) {}

  /** Requests and bytes held now (for metrics and tests). */
  get held(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  /** A ticket for one more request, or `undefined` when `maxRequests` are in flight. */
  admit(): InflightTicket | undefined {
    if (this.requests >= this.maxRequests) return undefined;
    this.requests++;
    let charged = 0;
    let released = false;
    return {
      charge: (bytes) => {
        if (released) return;
        if (this.bytes + bytes > this.maxBytes) {
          throw new CollectorError(CollectorErrorCode.OVERLOADED, `the collector holds ${this.maxBytes} bytes of requests in flight; retry later`);
        }
        this.bytes += bytes;
        charged += bytes;
      },
      release: () => {
        if (released) return;
        released = true;
        this.requests--;
        this.bytes -= charged;
      },
    };
  }
}
