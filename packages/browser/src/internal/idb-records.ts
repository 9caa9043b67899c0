// The queue's IndexedDB reads and writes: one record per event, keyed by its id, each change in one
// readwrite transaction that resolves once committed.
import type { StoredEvent } from '@tracklane/core';
import { promisifyRequest, type UseStore } from 'idb-keyval';

/** Every record in key order (tracking order), or the first `count`. */
export function readAll(idb: UseStore, count?: number): Promise<StoredEvent[]> {
  return idb('readonly', (store) => promisifyRequest(store.getAll(null, count) as IDBRequest<StoredEvent[]>));
}

/** Runs `change` in one readwrite transaction; resolves once the transaction has committed. */
function readWrite(idb: UseStore, change: (store: IDBObjectStore) => void): Promise<void> {
  return idb('readwrite', (store) => {
    change(store);
    return promisifyRequest(store.transaction);
  });
}

/** Writes one record per event, keyed by its id. */
export function putAll(idb: UseStore, events: readonly StoredEvent[]): Promise<void> {
  return readWrite(idb, (store) => {
    for (const event of events) store.put(event, event.id);
  });
}

/**
 * Deletes keys. A sent batch is usually a run of consecutive keys (ids sort by time): then one range
 * delete does it, after checking in the same transaction that the range holds nothing else.
 */
export function deleteKeys(idb: UseStore, ids: readonly string[]): Promise<void> {
  return readWrite(idb, (store) => {
    const deleteEach = (): void => {
      for (const id of ids) store.delete(id);
    };
    if (ids.length < 8) return deleteEach();
    const sorted = [...ids].sort();
    const range = IDBKeyRange.bound(sorted[0], sorted[sorted.length - 1]);
    const wanted = new Set(ids);
    const request = store.getAllKeys(range);
    request.onsuccess = () => {
      if (request.result.every((key) => wanted.has(key as string))) store.delete(range);
      else deleteEach();
    };
  });
}
