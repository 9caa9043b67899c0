import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

interface TestWaiter {
  name: string;
  size: number;
  reject: (error: Error) => void;
  rejected?: Error;
}

const waiter = (name: string, size = 1): TestWaiter => {
  const w: TestWaiter = { name, size, reject: (error) => void (w.rejected = error) };
  return w;
};

/** A commit that records each batch and finishes when the test says. */
function heldCommits() {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const commit = (batch: TestWaiter[]) => {
    batches.push(batch.map((w) => w.name));
    return new Promise<void>((resolve) => finish.push(resolve));
  };
  return { batches, commit, finishNext: () => finish.shift()!() };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('commits the writes of one tick together, and those queued meanwhile in the next commit, one commit at a time', async () => {
    const { batches, commit, finishNext } = heldCommits();
    const commits = createGroupCommit(commit);
    commits.add(waiter('a'));
    commits.add(waiter('b'));
    expect(batches).toEqual([]);
    await nextTurn();
    expect(batches).toEqual([['a', 'b']]);
    commits.add(waiter('c'));
    commits.add(waiter('d'));
    await nextTurn();
    expect(batches).toEqual([['a', 'b']]);
    finishNext();
    await nextTurn();
    expect(batches).toEqual([['a', 'b'], ['c', 'd']]);
    let settled = false;
    const settling = commits.settled().then(() => void (settled = true));
    await nextTurn();
    expect(settled).toBe(false);
    finishNext();
    await settling;
  });

  it('gives a commit what `take` says, at least one', async () => {
    const { batches, commit, finishNext } = heldCommits();
    const commits = createGroupCommit(commit, () => 0);
    for (const name of ['a', 'b']) commits.add(waiter(name));
    await nextTurn();
    finishNext();
    await nextTurn();
    finishNext();
    await commits.settled();
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('withdraws a waiter still queued, not one a commit has', async () => {
    const { batches, commit, finishNext } = heldCommits();
    const commits = createGroupCommit(commit);
    const [a, b] = [waiter('a'), waiter('b')];
    commits.add(a);
    await nextTurn();
    commits.add(b);
    expect(commits.withdraw(a)).toBe(false);
    expect(commits.withdraw(b)).toBe(true);
    finishNext();
    await commits.settled();
    expect(batches).toEqual([['a']]);
  });

  it('rejects every waiter of a commit that throws, and goes on with the next', async () => {
    let calls = 0;
    const commits = createGroupCommit<TestWaiter>(async () => {
      if (++calls === 1) throw new Error('bug');
    });
    const [a, b] = [waiter('a'), waiter('b')];
    commits.add(a);
    await nextTurn();
    commits.add(b);
    await commits.settled();
    expect(a.rejected?.message).toBe('bug');
    expect(b.rejected).toBeUndefined();
    expect(calls).toBe(2);
  });
});
