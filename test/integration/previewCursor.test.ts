import { strict as assert } from 'node:assert';
import type { PreviewPage, PreviewResult } from '../../protocol/src/preview';
import { PreviewService } from '../../server/src/preview/previewService';
import pg from 'pg';
import { FirstPageBatch, PostgresWarehouse } from '../../server/src/warehouse/postgres/postgresWarehouse';
import { stopSharedPostgres } from '../helpers/postgres';
import { pgFixture, type PgFixture } from './pgFixture';

after(() => stopSharedPostgres());

const never = () => new AbortController().signal;

function page(r: PreviewResult): PreviewPage {
  if (!r.ok) throw new Error(`preview failed: ${r.error.kind}: ${r.error.message}`);
  return r.page;
}

describe('PostgreSQL (real server): the preview cursor', function () {
  this.timeout(120_000);
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

  it('reads pages 2 to 20 from one cursor, not from a query run again per page', async () => {
    // ORDER BY random(): a query run again orders the rows anew, so pages taken from separate runs
    // (OFFSET) would share ids; one cursor's pages are slices of one order and never do.
    const first = page(await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT g AS id FROM generate_series(1, 2000) AS g ORDER BY random()' }, never()));
    const ids = new Set<unknown>();
    for (let n = 2; n <= 20; n++) for (const [id] of page(await previews.page(first.sessionId, n, never())).rows) ids.add(id);
    assert.equal(ids.size, 19 * 50);
    await previews.close(first.sessionId);
  });

  it('page 1 runs in the REPEATABLE READ READ ONLY transaction with the checked settings, as the pages after it', async () => {
    const sql = `SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro,
      current_setting('standard_conforming_strings') AS scs, current_setting('IntervalStyle') AS style, g
      FROM generate_series(1, 60) AS g`;
    const first = page(await previews.open({ warehouse: w, dialect: 'postgres', sql }, never()));
    assert.deepEqual(first.rows[0]!.slice(0, 4), ['repeatable read', 'on', 'on', 'iso_8601']);
    const second = page(await previews.page(first.sessionId, 2, never()));
    assert.deepEqual(second.rows[0]!.slice(0, 4), ['repeatable read', 'on', 'on', 'iso_8601']);
    await previews.close(first.sessionId);
  });

  it('when a setting of the batch fails, the model after it in the same batch never runs (not in autocommit either)', async () => {
    const admin = await fx.server.admin(fx.database);
    try {
      const before = (await admin.query('SELECT last_value, is_called FROM public.counter')).rows[0];
      // statement_timeout beyond its range: the SET fails, and the server skips to the Sync.
      await assert.rejects(
        w.openPreview(`SELECT nextval('public.counter') AS n`, { timeoutMs: 3e12, signal: never() }),
        (err: Error) => /statement_timeout/.test(err.message),
      );
      assert.deepEqual((await admin.query('SELECT last_value, is_called FROM public.counter')).rows[0], before, 'nextval never ran');
      // The connection went back clean: the next preview works.
      const ok = page(await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT 1 AS one' }, never()));
      assert.deepEqual(ok.rows, [[1]]);
      await previews.close(ok.sessionId);
    } finally {
      await admin.end();
    }
  });

  it('the server skips the rest of the batch after a failed first statement: the model never runs, not even outside a transaction', async () => {
    // nextval is not undone by a rollback, so a model run after the failure would show in the counter.
    const admin = await fx.server.admin(fx.database);
    try {
      const before = (await admin.query('SELECT last_value, is_called FROM public.counter')).rows[0];
      const batch = new FirstPageBatch(['SELECT 1/0'], `SELECT nextval('public.counter') AS n`);
      await assert.rejects(batch.run(admin as pg.ClientBase), /division by zero/);
      assert.equal(batch.failedInModel, false);
      assert.deepEqual((await admin.query('SELECT last_value, is_called FROM public.counter')).rows[0], before, 'nextval never ran');
      const ran = new FirstPageBatch(['SELECT 1'], `SELECT nextval('public.counter') AS n`);
      assert.equal((await ran.run(admin as pg.ClientBase)).rows.length, 1, 'the same batch without the failure runs the model');
    } finally {
      await admin.end();
    }
  });

  it('reports an error of the model in the batch at its position, and the next preview works', async () => {
    const r = await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT 1/0 AS boom' }, never());
    assert.ok(!r.ok);
    assert.match(r.error.message, /division by zero/);
    const bad = await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT nope FROM public.big' }, never());
    assert.ok(!bad.ok);
    assert.deepEqual(bad.error.position, { line: 1, column: 8 });
    const ok = page(await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT 2 AS two' }, never()));
    assert.deepEqual(ok.rows, [[2]]);
    await previews.close(ok.sessionId);
  });

  it('closing while the cursor is still being declared cancels it without a login of its own', async () => {
    // Every row sleeps unless read by page 1's statement (SELECT * FROM (...) LIMIT 51), so page 1 is quick
    // and the background MOVE past it would take 30 s a row.
    const sql = `SELECT g FROM generate_series(1, 100) AS g WHERE (CASE WHEN current_query() NOT LIKE 'SELECT * FROM (%' THEN pg_sleep(30) END) IS NULL`;
    const original = w.cancelByLogin.bind(w);
    let logins = 0;
    w.cancelByLogin = async (client) => {
      logins++;
      return original(client);
    };
    try {
      const cursor = await w.openPreview(sql, { timeoutMs: 60_000, signal: never() });
      assert.equal(cursor.takeFirst().rows.length, 50);
      await new Promise((r) => setTimeout(r, 200)); // the MOVE is running
      const t = performance.now();
      await cursor.close();
      assert.ok(performance.now() - t < 5_000, `close took ${performance.now() - t} ms`);
      assert.equal(logins, 0, 'cancelled by a CancelRequest, not by pg_cancel_backend over a new connection');
      const admin = await fx.server.admin(fx.database);
      try {
        const running = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'MOVE % IN retl_preview' AND state = 'active'`);
        assert.equal(running.rows[0].n, 0);
      } finally {
        await admin.end();
      }
    } finally {
      w.cancelByLogin = original;
    }
  });
});
