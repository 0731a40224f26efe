import { strict as assert } from 'node:assert';
import type { PreviewPage, PreviewResult } from '../../protocol/src/preview';
import { MAX_CACHED_BYTES, MAX_CACHED_PAGES, PreviewService } from '../../server/src/preview/previewService';
import { KEPT_CELL_CHARS } from '../../server/src/preview/cells';
import { verifyCredentials } from '../../server/src/verify/verifyCredentials';
import { PostgresWarehouse } from '../../server/src/warehouse/postgres/postgresWarehouse';
import { stopSharedPostgres } from '../helpers/postgres';
import { BIG_ROWS, pgFixture, TEN_MB, type PgFixture } from './pgFixture';

after(() => stopSharedPostgres());

const never = () => new AbortController().signal;

function page(r: PreviewResult): PreviewPage {
  if (!r.ok) throw new Error(`preview failed: ${r.error.kind}: ${r.error.message}`);
  return r.page;
}

describe('PostgreSQL (real server): the three checks', function () {
  this.timeout(120_000);
  let fx: PgFixture;
  const opened: PostgresWarehouse[] = [];
  const warehouse = (user: { user: string; password: string }, password = user.password, extra = {}) => {
    const w = new PostgresWarehouse(fx.credentials(user, extra), password);
    opened.push(w);
    return w;
  };
  before(async () => {
    fx = await pgFixture();
  });
  after(async () => {
    await Promise.all(opened.map((w) => w.close()));
  });

  it('passes all three with the right password, and fills the catalog', async () => {
    const progress: string[] = [];
    const out = await verifyCredentials('pg', warehouse(fx.reader), '_retl', (checks) => progress.push(checks.map((c) => c.status).join(',')), never());
    assert.deepEqual(out.result.checks.map((c) => c.status), ['passed', 'passed', 'passed'], JSON.stringify(out.result.checks));
    assert.ok(out.result.ok);
    assert.ok(out.result.checks.every((c) => typeof c.ms === 'number'));
    assert.deepEqual(progress[0], 'running,pending,pending', 'each check is reported as it starts');
    const big = out.catalog?.schemas.find((s) => s.name === 'public')?.tables.find((t) => t.name === 'big');
    assert.ok(big, 'public.big is in the catalog');
    assert.deepEqual(big.columns.map((c) => `${c.name}:${c.type}:${c.nullable}`), ['id:integer:false', 'label:text:true', 'bucket:integer:true', 'amount:numeric(12,2):true']);
    assert.equal(big.comment, 'one million rows');
    assert.ok((big.rowEstimate ?? 0) > 900_000);
  });

  it('fails the connection check on a wrong password, naming authentication, and skips the rest', async () => {
    const out = await verifyCredentials('pg', warehouse(fx.reader, 'wrong-password'), '_retl', () => undefined, never());
    const [conn, list, state] = out.result.checks;
    assert.equal(conn!.status, 'failed');
    assert.equal(conn!.kind, 'auth');
    assert.match(conn!.message!, /password authentication failed/);
    assert.ok(!conn!.message!.includes('wrong-password'), 'the password never appears in a message');
    assert.deepEqual([list!.status, state!.status], ['skipped', 'skipped']);
    assert.equal(out.result.ok, false);
  });

  it('fails the state-schema check without USAGE, and its GRANT SQL, run by the superuser, makes it pass', async () => {
    const before = await verifyCredentials('pg', warehouse(fx.noState), '_retl', () => undefined, never());
    const state = before.result.checks[2]!;
    assert.deepEqual(before.result.checks.map((c) => c.status), ['passed', 'passed', 'failed']);
    assert.equal(state.kind, 'stateSchema');
    assert.ok(state.remediation?.includes(`GRANT USAGE, CREATE ON SCHEMA "_retl" TO "${fx.noState.user}";`), state.remediation);
    const admin = await fx.server.admin(fx.database);
    try {
      await admin.query(state.remediation!);
    } finally {
      await admin.end();
    }
    const after = await verifyCredentials('pg', warehouse(fx.noState), '_retl', () => undefined, never());
    assert.deepEqual(after.result.checks.map((c) => c.status), ['passed', 'passed', 'passed']);
  });

  it('names a missing state schema, a missing database, a refused port and an unknown host', async () => {
    const noSchema = await verifyCredentials('pg', warehouse(fx.reader), 'no_such_schema', () => undefined, never());
    assert.equal(noSchema.result.checks[2]!.kind, 'stateSchema');
    assert.match(noSchema.result.checks[2]!.remediation!, /CREATE SCHEMA IF NOT EXISTS "no_such_schema"/);

    const noDb = await verifyCredentials('pg', warehouse(fx.reader, fx.reader.password, { database: 'nope_db' }), '_retl', () => undefined, never());
    assert.equal(noDb.result.checks[0]!.kind, 'database', noDb.result.checks[0]!.message);

    const refused = await verifyCredentials('pg', warehouse(fx.reader, fx.reader.password, { port: 1 }), '_retl', () => undefined, never());
    assert.equal(refused.result.checks[0]!.kind, 'refused', refused.result.checks[0]!.message);

    const dns = await verifyCredentials('pg', warehouse(fx.reader, fx.reader.password, { host: 'no-such-host.invalid' }), '_retl', () => undefined, never());
    assert.ok(['dns', 'unreachable'].includes(dns.result.checks[0]!.kind!), dns.result.checks[0]!.message);
  });
});

describe('PostgreSQL (real server): preview', function () {
  this.timeout(180_000);
  let fx: PgFixture;
  let w: PostgresWarehouse;
  let previews: PreviewService;
  before(async () => {
    fx = await pgFixture();
    w = new PostgresWarehouse(fx.credentials(fx.reader), fx.reader.password);
    previews = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
  });
  after(async () => {
    await previews.closeAll();
    await w.close();
  });

  const open = (sql: string, primaryKey?: string) =>
    previews.open({ warehouse: w, dialect: 'postgres', sql, ...(primaryKey ? { primaryKey } : {}) }, never());

  async function slice(sql: string, offset: number): Promise<unknown[][]> {
    const admin = await fx.server.admin(fx.database);
    try {
      const r = await admin.query({ text: `${sql} OFFSET ${offset} LIMIT 50`, rowMode: 'array' });
      return r.rows;
    } finally {
      await admin.end();
    }
  }

  for (const [label, sql] of [
    ['ordered by an unindexed column', 'SELECT id, label FROM public.big ORDER BY label, id'],
    ['ordered by the key', 'SELECT id, label FROM public.big ORDER BY id'],
  ] as const) {
    it(`pages 1, 2 and 20 of a 1-million-row table equal the OFFSET/LIMIT slices (${label})`, async () => {
      const first = page(await open(`-- preview test\n${sql};\n`, 'id'));
      assert.equal(first.page, 1);
      assert.equal(first.rows.length, 50);
      assert.equal(first.hasMore, true);
      assert.deepEqual(first.columns, [{ name: 'id', type: 'integer' }, { name: 'label', type: 'text' }]);
      assert.deepEqual(first.rows, await slice(sql, 0));
      const second = page(await previews.page(first.sessionId, 2, never()));
      assert.deepEqual(second.rows, await slice(sql, 50));
      const twentieth = page(await previews.page(first.sessionId, 20, never()));
      assert.deepEqual(twentieth.rows, await slice(sql, 950));
      assert.equal(twentieth.rowsSoFar, 1000);
      // Back to a page the cursor skipped: answered from the same snapshot.
      const tenth = page(await previews.page(first.sessionId, 10, never()));
      assert.deepEqual(tenth.rows, await slice(sql, 450));
      const again = page(await previews.page(first.sessionId, 2, never()));
      assert.deepEqual(again.rows, second.rows, 'a fetched page comes from the cache');
      assert.deepEqual(twentieth.keys.duplicates, []);
      await previews.close(first.sessionId);
    });
  }

  it('keeps only the most recent pages; an evicted page comes back from the same snapshot', async () => {
    const sql = 'SELECT id, label FROM public.big ORDER BY id';
    const first = page(await open(sql, 'id'));
    for (let n = 2; n <= MAX_CACHED_PAGES + 5; n++) page(await previews.page(first.sessionId, n, never()));
    const again = page(await previews.page(first.sessionId, 1, never()));
    assert.deepEqual(again.rows, first.rows);
    assert.equal(again.rowsSoFar, (MAX_CACHED_PAGES + 5) * 50);
    assert.deepEqual(again.keys.duplicates, [], 'a page fetched again is not counted as duplicates');
    await previews.close(first.sessionId);
  });

  it('keeps big cells cut and the cache within its byte budget; "show all" reads the whole value again', async () => {
    const BIG = 256 * 1024;
    // 300 rows of 256 K characters, each kept cut to 64 K: six pages are more than the 32 MB budget.
    const sql = `SELECT i AS id, repeat(chr(65 + i % 26), ${BIG}) AS big FROM generate_series(1, 300) i`;
    const first = page(await open(sql, 'id'));
    for (let n = 2; n <= 6; n++) {
      if (n === 4) {
        // A value cut in the cache comes back whole from the same snapshot (row 60, on page 2, which the
        // cursor has passed), and the pages after it are not disturbed.
        const whole = await previews.cell(first.sessionId, 2, 9, 1, never());
        assert.equal(typeof whole, 'string');
        assert.equal((whole as string).length, BIG);
        assert.equal((whole as string)[0], String.fromCharCode(65 + (60 % 26)));
      }
      const p = page(await previews.page(first.sessionId, n, never()));
      assert.deepEqual(p.rows.map((r) => r[0]), Array.from({ length: 50 }, (_, i) => (n - 1) * 50 + i + 1), `page ${n} has the right rows`);
      const cut = p.rows[0]![1] as { truncated: string; size: number };
      assert.equal(cut.size, BIG);
      assert.equal(cut.truncated.length, 2000);
      const cache = previews.cacheOf(first.sessionId)!;
      assert.ok(cache.bytes <= MAX_CACHED_BYTES, `cache ${cache.bytes} bytes after page ${n}`);
      assert.ok(cache.pages.includes(n));
      assert.equal(p.hasMore, n < 6);
    }
    assert.ok(!previews.cacheOf(first.sessionId)!.pages.includes(1), 'page 1 left the cache for the byte budget');
    // Page 1 is read again from the same snapshot, values cut the same way.
    const again = page(await previews.page(first.sessionId, 1, never()));
    assert.deepEqual(again.rows.map((r) => r[0]), first.rows.map((r) => r[0]));
    assert.ok(KEPT_CELL_CHARS < BIG);
    assert.equal(await previews.cell(first.sessionId, 1, 50, 0, never()), undefined, 'row 50 of a page does not exist');
    assert.equal(await previews.cell(first.sessionId, 9, 0, 0, never()), undefined, 'a page never fetched has no cells');
    await previews.close(first.sessionId);
  });

  it('reaches the last page with hasMore false', async () => {
    const sql = 'SELECT id FROM public.big WHERE id <= 120 ORDER BY id';
    const first = page(await open(sql));
    const third = page(await previews.page(first.sessionId, 3, never()));
    assert.deepEqual(third.rows.map((r) => r[0]), Array.from({ length: 20 }, (_, i) => 101 + i));
    assert.equal(third.hasMore, false);
    const fourth = page(await previews.page(first.sessionId, 4, never()));
    assert.deepEqual(fourth.rows, []);
    assert.equal(BIG_ROWS, 1_000_000);
  });

  it('cancels a running pg_sleep within a second and frees the server', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const r = await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT pg_sleep(30) AS slept' }, controller.signal);
    const elapsed = Date.now() - started;
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.kind, 'cancelled');
    assert.ok(elapsed < 1_300, `took ${elapsed} ms`);
    const admin = await fx.server.admin(fx.database);
    try {
      let running = 1;
      for (let i = 0; i < 20 && running > 0; i++) {
        running = (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()`)).rows[0].n;
        if (running > 0) await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(running, 0, 'the sleep no longer runs on the server');
    } finally {
      await admin.end();
    }
  });

  it('stops a query at the preview timeout', async () => {
    const short = new PreviewService({ timeoutMs: 300, idleMs: 60_000 });
    try {
      const r = await short.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT pg_sleep(5)' }, never());
      assert.equal(!r.ok && r.error.kind, 'timeout', JSON.stringify(r));
    } finally {
      await short.closeAll();
    }
  });

  it('refuses writes, locks and second statements before they reach the server; the table is unchanged', async () => {
    const cases: [string, RegExp][] = [
      ['DELETE FROM public.big', /DELETE is not allowed/],
      ['DROP TABLE public.big', /DROP is not allowed/],
      ['INSERT INTO public.big (id) VALUES (-1) RETURNING id', /INSERT is not allowed/],
      ['SELECT 1;\nSELECT 2', /one statement/],
      ['SELECT * FROM public.big FOR UPDATE', /FOR UPDATE/],
      ['WITH gone AS (DELETE FROM public.big WHERE id = 1 RETURNING id) SELECT * FROM gone', /DELETE inside the query/],
      ['SELECT id INTO TEMP copy FROM public.big', /INTO creates a table/],
      ['UPDATE public.big SET label = NULL', /UPDATE is not allowed/],
      ['   ', /empty/],
    ];
    for (const [sql, message] of cases) {
      const r = await open(sql);
      assert.equal(r.ok, false, sql);
      assert.equal(!r.ok && r.error.kind, 'refused', sql);
      assert.match(!r.ok ? r.error.message : '', message, sql);
    }
    const second = await open('SELECT 1 AS a;\n  SELECT 2 AS b');
    assert.deepEqual(!second.ok && second.error.position, { line: 2, column: 3 });
    // The read-only transaction is the second line of defence, for side effects a parser cannot see.
    const seq = await open(`SELECT nextval('public.counter')`);
    assert.equal(seq.ok, false);
    assert.match(!seq.ok ? seq.error.message : '', /read-only transaction/);
    const admin = await fx.server.admin(fx.database);
    try {
      const n = (await admin.query('SELECT count(*)::int AS n, count(label)::int AS labelled FROM public.big')).rows[0];
      assert.deepEqual(n, { n: BIG_ROWS, labelled: BIG_ROWS });
    } finally {
      await admin.end();
    }
  });

  it('keeps NULL apart from "", exact decimals and big integers, ISO timestamps, and cuts a 10 MB cell', async () => {
    const p = page(await open('SELECT * FROM public.kinds ORDER BY id NULLS LAST, label NULLS FIRST', 'id'));
    const col = (name: string) => p.columns.findIndex((c) => c.name === name);
    assert.equal(p.columns[col('exact')]!.type, 'numeric(38,10)');
    const [one, two] = p.rows;
    assert.equal(one![col('label')], null);
    assert.equal(two![col('label')], '');
    assert.equal(one![col('exact')], '12345678901234567890.1234567890');
    assert.equal(two![col('exact')], '-0.0000000001');
    assert.equal(one![col('huge')], '9007199254740993');
    assert.equal(one![col('at')], '2026-11-24T21:00:00.5+00:00');
    assert.equal(one![col('day')], '2026-11-24');
    assert.equal(one![col('doc')], '{"a": [1, 2]}');
    assert.equal(one![col('flag')], true);
    assert.equal(two![col('blob')], '<img src=x onerror=alert(1)>');
    const blob = one![col('blob')];
    assert.ok(blob && typeof blob === 'object' && 'truncated' in blob, 'the 10 MB value is cut for transport');
    assert.equal(blob.size, TEN_MB);
    assert.equal(blob.truncated.length, 2000);
    const whole = await previews.cell(p.sessionId, 1, 0, col('blob'), new AbortController().signal);
    assert.equal(typeof whole === 'string' && whole.length, TEN_MB);
    // Keys: id 2 twice and one NULL are flagged.
    assert.deepEqual(p.keys.duplicates, ['2']);
    assert.deepEqual(p.keys.flaggedRows, [1, 2, 3]);
  });

  it('says when the primary key is not among the columns', async () => {
    const p = page(await open('SELECT label FROM public.kinds', 'id'));
    assert.deepEqual(p.keys, { column: 'id', missing: true, duplicates: [], flaggedRows: [] });
  });

  it('maps a warehouse error to the line and column of the model file', async () => {
    const sql = '-- active users\nSELECT id,\n       lable\nFROM public.big';
    const r = await open(sql);
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.match(r.error.message, /column "lable" does not exist/);
    assert.deepEqual(r.error.position, { line: 3, column: 8 });
    assert.equal(r.error.code, '42703');
    const syntax = await open('SELECT id\nFROM FROM public.big');
    assert.ok(!syntax.ok);
    assert.equal(syntax.error.kind, 'syntax');
    assert.deepEqual(syntax.error.position, { line: 2, column: 6 });
  });

  it('releases the connection when a session closes, and all of them on dispose', async () => {
    const admin = await fx.server.admin(fx.database);
    // In a transaction, whatever its state: a session's background cursor may still be moving ('active').
    const inTx = async () =>
      (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND xact_start IS NOT NULL`, [fx.reader.user])).rows[0].n as number;
    const states = async () => JSON.stringify((await admin.query(`SELECT state, left(query, 60) AS query FROM pg_stat_activity WHERE usename = $1`, [fx.reader.user])).rows);
    try {
      const before = await inTx();
      assert.equal(before, previews.openSessions, `each open preview holds one transaction: ${await states()}`);
      const p = page(await open('SELECT id FROM public.big ORDER BY id'));
      assert.equal(await inTx(), before + 1);
      await previews.close(p.sessionId);
      assert.equal(await inTx(), before);
      await previews.closeAll();
      assert.equal(await inTx(), 0);
      const expired = await previews.page(p.sessionId, 2, never());
      assert.equal(!expired.ok && expired.error.kind, 'expired');
    } finally {
      await admin.end();
    }
  });
});
