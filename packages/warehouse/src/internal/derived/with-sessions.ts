import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import type { Target } from '../target/target.js';
import { refreshSessions } from './sessions.js';

/**
 * The target, with `sessions` refreshed in the transaction of every batch it writes: the load
 * loop stays as it is, and a crash leaves `sessions` matching `events` (both commit or neither).
 * The target's own transaction inside `apply` joins the one opened here.
 */
export function withSessions(target: Target): Target {
  const transaction = requireTransaction(target, 'the sessions model');
  return {
    ...target,
    apply: (source, batch, positions) =>
      transaction(async (sql) => {
        await target.apply(source, batch, positions);
        await refreshSessions(sql);
      }),
  };
}

/** The target's `transaction`, bound; a target without one is INVALID_CONFIG naming what needed it. */
export function requireTransaction(target: Target, what: string): NonNullable<Target['transaction']> {
  if (target.transaction === undefined) throw new WarehouseError(WarehouseErrorCode.INVALID_CONFIG, `${what} needs a target with transactions (DuckDB); ${target.name} has none yet`);
  return target.transaction.bind(target);
}
