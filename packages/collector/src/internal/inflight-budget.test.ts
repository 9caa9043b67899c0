import { describe, expect, it } from 'vitest';
import { CollectorErrorCode, httpStatus } from './errors.js';
import { InflightBudget } from './inflight-budget.js';

describe('InflightBudget', () => {
  it('admits maxRequests at once; a released ticket makes room for one more', () => {
    const budget = new InflightBudget(2, 1000);
    const first = budget.admit()!;
    expect(budget.admit()).toBeDefined();
    expect(budget.admit()).toBeUndefined();
    first.release();
    expect(budget.admit()).toBeDefined();
    expect(budget.held.requests).toBe(2);
  });

  it('counts bytes across tickets; the charge that would pass maxBytes throws OVERLOADED (503) and counts nothing', () => {
    const budget = new InflightBudget(10, 1000);
    const a = budget.admit()!;
    const b = budget.admit()!;
    a.charge(600);
    b.charge(400);
    expect(budget.held.bytes).toBe(1000);
    let thrown: unknown;
    try {
      b.charge(1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: CollectorErrorCode.OVERLOADED });
    expect(httpStatus(CollectorErrorCode.OVERLOADED)).toBe(503);
    expect(budget.held.bytes).toBe(1000);
    a.release();
    expect(budget.held).toEqual({ requests: 1, bytes: 400 });
    b.charge(600);
    expect(budget.held.bytes).toBe(1000);
  });

  it('gives back a ticket once however often it is released, and ignores charges after that', () => {
    const budget = new InflightBudget(1, 100);
    const ticket = budget.admit()!;
    ticket.charge(50);
    ticket.release();
    ticket.release();
    ticket.charge(80);
    expect(budget.held).toEqual({ requests: 0, bytes: 0 });
    expect(budget.admit()).toBeDefined();
  });
});
