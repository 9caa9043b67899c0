import type { AccessDecision } from './access-control.js';
import type { Log } from './logger.js';
import type { CollectorMetrics } from './metrics.js';

/** Log lines about refused keys per second, in total: a flood from many addresses must not flood the log. */
const MAX_LINES_PER_SECOND = 10;

/**
 * Records a failed authentication: always in `tracklane_collector_auth_failures_total{reason}`, and
 * as a `warn` line with the reason, the route, the truncated client address and, for a configured
 * key presented the wrong way, its `keyId` (a short hash). Never the key: a wrong key may be
 * someone's real secret for another system. At most MAX_LINES_PER_SECOND lines a second; the next
 * line logged says how many were left out (`suppressed`).
 */
export class AuthFailureLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Log,
    private readonly metrics: CollectorMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  record(decision: Extract<AccessDecision, { ok: false }>, route: string, clientIp: string | undefined): void {
    this.metrics.authFailures.inc({ reason: decision.reason });
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= MAX_LINES_PER_SECOND) {
      this.suppressed++;
      return;
    }
    this.linesInWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.log('warn', 'authentication failed', {
      reason: decision.reason,
      route,
      status: decision.status,
      ...(decision.keyId !== undefined ? { keyId: decision.keyId } : {}),
      ...(clientIp !== undefined ? { clientIp } : {}),
      ...(suppressed > 0 ? { suppressed } : {}),
    });
  }
}
