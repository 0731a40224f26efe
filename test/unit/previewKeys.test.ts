import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PAGE_SIZE, type Cell, type PreviewResult } from '../../protocol/src/preview';
import { hashKey, KeySet } from '../../server/src/preview/keySet';
import { MAX_TRACKED_KEYS, PreviewService } from '../../server/src/preview/previewService';
import type { PreviewCursor, RowsPage, Warehouse } from '../../server/src/warehouse/warehouse';

const never = () => new AbortController().signal;

/** A full collection, so heapUsed is what is alive (mocha runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** What the process holds in the JS heap and in ArrayBuffers (where a typed array keeps its bytes). */
function heldBytes(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A fake warehouse whose one preview is `rowCount` rows of one column "id", key(i) for row i; the
 * cursor reads any range at once (it is a fake of the cursor, not of a warehouse's SQL).
 */
function fakeWarehouse(rowCount: number, key: (i: number) => Cell): Warehouse {
  const rows = (start: number, count: number): RowsPage => {
    const out: Cell[][] = [];
    for (let i = start; i < Math.min(rowCount, start + count); i++) out.push([key(i)]);
    return { rows: out, hasMore: start + count < rowCount };
  };
  const cursor: PreviewCursor = {
    columns: [{ name: 'id', type: 'text' }],
    takeFirst: () => rows(0, PAGE_SIZE),
    rows: async (start, count) => rows(start, count),
    close: async () => undefined,
  };
  const refused = () => Promise.reject(new Error('not in this fake'));
  return { type: 'postgres', checkConnection: refused, listCatalog: refused, checkStateSchema: refused, readAll: refused, openPreview: async () => cursor, close: async () => undefined };
}

function ok(r: PreviewResult) {
  if (!r.ok) throw new Error(r.error.message);
  return r.page;
}

/** A 32-digit hexadecimal key, the length of a UUID without dashes. */
const hexKey = (i: number) => (0x1000_0000_0000 + i * 7919).toString(16).padStart(32, '0');

describe('preview keys: duplicate detection in bounded memory', function () {
  this.timeout(120_000);

  it('KeySet: 200,000 distinct keys in 4 MiB, none taken for a duplicate; repeats found, also past the limit', () => {
    const set = new KeySet(200_000);
    for (let i = 0; i < 200_000; i++) assert.equal(set.see(hashKey(hexKey(i))), 'first');
    assert.equal(set.size, 200_000);
    assert.equal(set.bytes, 4 * 2 ** 20);
    assert.equal(set.see(hashKey('not remembered')), 'untracked', 'a new key past the limit is not remembered');
    assert.equal(set.isDuplicate(hashKey('not remembered')), false);
    assert.equal(set.see(hashKey(hexKey(0))), 'second', 'a remembered key seen again past the limit is a duplicate');
    assert.equal(set.see(hashKey(hexKey(0))), 'again');
    assert.equal(set.isDuplicate(hashKey(hexKey(0))), true);
    assert.equal(set.isDuplicate(hashKey(hexKey(1))), false);
  });

  it('hashKey: the whole text counts, and no two of 1,000,000 short keys share a hash', () => {
    const long = 'k'.repeat(70_000);
    assert.notDeepEqual(hashKey(`${long}1`), hashKey(`${long}2`), 'keys differing only after 64 K characters');
    assert.notDeepEqual(hashKey('1'), hashKey('01'));
    assert.notDeepEqual(hashKey(''), [0, 0], 'the empty text is a key, not NULL');
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) {
      const [hi, lo] = hashKey(String(i));
      seen.add(hi * 2 ** 32 + lo);
    }
    assert.equal(seen.size, 1_000_000);
  });

  it(`a session that saw ${MAX_TRACKED_KEYS.toLocaleString('en')} UUID-sized keys holds under 8 MB for them`, async () => {
    const rowCount = MAX_TRACKED_KEYS + 10 * PAGE_SIZE;
    const warehouse = fakeWarehouse(rowCount, hexKey);
    const service = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
    try {
      const before = heldBytes();
      const first = ok(await service.open({ warehouse, dialect: 'postgres', sql: 'SELECT id FROM t', primaryKey: 'id' }, never()));
      let page = 1;
      for (let more = first.hasMore; more; ) more = ok(await service.page(first.sessionId, ++page, never())).hasMore;
      const held = heldBytes() - before;
      // The Map of key texts this replaced held ~40 MB for these keys (V8 heap, kept for the session).
      assert.ok(held < 8 * 2 ** 20, `the session holds ${(held / 2 ** 20).toFixed(1)} MB`);
      await service.close(first.sessionId);
    } finally {
      await service.closeAll();
    }
  });

  it('finds a duplicate of a page-1 key 3,000 pages later and flags both rows, also when page 1 is read again', async () => {
    const dupAt = 3000 * PAGE_SIZE + 10;
    const warehouse = fakeWarehouse(dupAt + PAGE_SIZE, (i) => (i === dupAt ? 'key-7' : i === 7 ? 'key-7' : i === 8 ? null : `key-${i}`));
    const service = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
    try {
      const first = ok(await service.open({ warehouse, dialect: 'postgres', sql: 'SELECT id FROM t', primaryKey: 'id' }, never()));
      assert.deepEqual(first.keys.flaggedRows, [8], 'the NULL key');
      const at = Math.floor(dupAt / PAGE_SIZE) + 1;
      for (let p = 2; p <= at; p++) ok(await service.page(first.sessionId, p, never()));
      const late = ok(await service.page(first.sessionId, at, never()));
      assert.deepEqual(late.keys.duplicates, ['key-7']);
      assert.deepEqual(late.keys.flaggedRows, [dupAt % PAGE_SIZE]);
      assert.ok(!service.cacheOf(first.sessionId)!.pages.includes(1), 'page 1 left the cache');
      const again = ok(await service.page(first.sessionId, 1, never()));
      assert.deepEqual(again.keys.flaggedRows, [7, 8]);
      assert.deepEqual(again.keys.duplicates, ['key-7'], 'a page read again counts no key twice');
    } finally {
      await service.closeAll();
    }
  });
});
