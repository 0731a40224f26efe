import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { closeDemoWarehouses, demoStartText, onDemoStart, openDemoWarehouse, type DemoHost } from '../../server/src/warehouse/demo/demoWarehouse';
import type { DemoStartPhase } from '../../server/src/warehouse/demo/demoMessages';
import { DemoWarehouse } from '../../server/src/warehouse/demo/demoAdapter';
import { WarehouseError } from '../../server/src/warehouse/warehouse';
import { readAllText } from '../helpers/readAllText';
import { PreviewService } from '../../server/src/preview/previewService';
import { KEPT_CELL_CHARS } from '../../server/src/preview/cells';
import { initWorkspace } from '../../server/src/init/starterWorkspace';
import { useTempDir } from '../helpers/tempDir';

const rows = async <R>(host: DemoHost, sql: string): Promise<R[]> => (await host.run([{ sql }]))[0]!.rows as R[];

describe('demo warehouse (PGlite, on its own thread)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('retl-demo-');
  afterEach(() => closeDemoWarehouses());

  it('seeds accounts, users and events plus the state schema, once', async () => {
    const dir = path.join(tmp(), 'data');
    const db = openDemoWarehouse(dir);
    const counts = await rows<{ accounts: number; users: number; events: number; retl: boolean }>(
      db,
      `SELECT (SELECT count(*)::int FROM public.accounts) AS accounts,
              (SELECT count(*)::int FROM public.users) AS users,
              (SELECT count(*)::int FROM public.events) AS events,
              EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = '_retl') AS retl`,
    );
    assert.deepEqual(counts[0], { accounts: 200, users: 2000, events: 6000, retl: true });
    assert.equal(openDemoWarehouse(dir), db, 'one instance per process and folder');

    // A marker row survives a restart only if the second start does not seed again.
    await db.run([{ sql: `INSERT INTO public.accounts VALUES (9999, 'Marker', 'SaaS', 'free', 0, now())` }]);
    await closeDemoWarehouses();
    const marker = await rows<{ n: number }>(openDemoWarehouse(dir), 'SELECT count(*)::int AS n FROM public.accounts WHERE id = 9999');
    assert.equal(marker[0]?.n, 1);
  });

  it('says what a start is doing: creating and seeding the first time, opening afterwards, then nothing', async () => {
    const dir = path.join(tmp(), 'data');
    const heard: (DemoStartPhase | undefined)[] = [];
    const listening = onDemoStart((p) => heard.push(p));
    try {
      const db = openDemoWarehouse(dir);
      await db.run([{ sql: 'SELECT 1' }]);
      assert.deepEqual(heard, ['creating', 'seeding', undefined]);
      assert.equal(db.startPhase, undefined, 'ready: no phase left behind');
      await closeDemoWarehouses();
      heard.length = 0;
      await openDemoWarehouse(dir).run([{ sql: 'SELECT 1' }]);
      assert.deepEqual(heard, ['opening', undefined], 'a later start neither creates nor seeds');
    } finally {
      listening.dispose();
    }
    // A listener that arrives while a start is under way hears where it is at once.
    await closeDemoWarehouses();
    const late: (DemoStartPhase | undefined)[] = [];
    const db = openDemoWarehouse(dir);
    const first = db.run([{ sql: 'SELECT 1' }]);
    await new Promise<void>((resolve) => {
      const probe = onDemoStart((p) => {
        if (p) {
          probe.dispose();
          resolve();
        }
      });
    });
    const lateListener = onDemoStart((p) => late.push(p));
    await first;
    lateListener.dispose();
    assert.equal(late[0], 'opening');
    assert.equal(late.at(-1), undefined);
    assert.match(demoStartText('seeding') ?? '', /first time: creating the sample data/);
    assert.equal(demoStartText(undefined), undefined);
  });

  it('runs the example models that "retl init --demo" writes', async () => {
    const db = openDemoWarehouse(path.join(tmp(), 'data'));
    await initWorkspace(tmp(), true);
    for (const file of ['models/active_users.sql', 'models/accounts_mrr.sql']) {
      const sql = readFileSync(path.join(tmp(), file), 'utf8');
      const r = await rows(db, sql);
      assert.ok(r.length > 10, `${file} returns rows (${r.length})`);
    }
    const mrr = await rows<{ mrr: string }>(db, `SELECT mrr::text AS mrr FROM (${readFileSync(path.join(tmp(), 'models/accounts_mrr.sql'), 'utf8')}) q LIMIT 1`);
    assert.match(mrr[0]!.mrr, /^\d+\.\d{2}$/, 'numeric(12,2) keeps its exact decimals');
  });
});

describe('demo warehouse: a slow model is stopped, and the engine keeps answering meanwhile', function () {
  this.timeout(180_000);
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'retl-demo-slow-'));
    await openDemoWarehouse(path.join(dir, 'data')).run([{ sql: 'SELECT 1' }]); // seeded once for these tests
  });
  after(async () => {
    await closeDemoWarehouses();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ticks of a 50 ms timer while `p` runs: PGlite on the engine's thread gave none. */
  async function ticksWhile<T>(p: Promise<T>): Promise<{ ticks: number; result: PromiseSettledResult<T> }> {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const [result] = await Promise.allSettled([p]);
    clearInterval(timer);
    return { ticks, result: result! };
  }

  it('pg_sleep(1000) is stopped by a 3 s timeout with "timed out after 3 s"; the next query runs on a new thread', async () => {
    const warehouse = new DemoWarehouse(path.join(dir, 'data'));
    const host = openDemoWarehouse(path.join(dir, 'data'));
    const startsBefore = host.starts;
    const slow = warehouse.openPreview('select pg_sleep(1000)', { timeoutMs: 3000, signal: new AbortController().signal });
    const { ticks, result } = await ticksWhile(slow);
    assert.equal(result.status, 'rejected');
    const err = (result as PromiseRejectedResult).reason as WarehouseError;
    assert.ok(err instanceof WarehouseError, String(err));
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /timed out after 3 s/);
    assert.ok(ticks >= 10, `the engine's event loop ran while the query did (${ticks} ticks)`);
    const cursor = await warehouse.openPreview('SELECT id FROM public.accounts ORDER BY id', { timeoutMs: 3000, signal: new AbortController().signal });
    assert.equal(cursor.takeFirst().rows[0]?.[0], 1);
    assert.equal(host.starts, startsBefore + 1, 'the stopped thread was replaced once');
  });

  it('Cancel stops pg_sleep(1000) at once with "Cancelled"; a request queued behind it still runs', async () => {
    const warehouse = new DemoWarehouse(path.join(dir, 'data'));
    const abort = new AbortController();
    const slow = warehouse.openPreview('select pg_sleep(1000)', { timeoutMs: 600_000, signal: abort.signal });
    const queued = warehouse.listCatalog(new AbortController().signal);
    setTimeout(() => abort.abort(), 300);
    const { ticks, result } = await ticksWhile(slow);
    assert.equal(result.status, 'rejected');
    assert.equal(((result as PromiseRejectedResult).reason as WarehouseError).kind, 'cancelled');
    assert.ok(ticks >= 3, `${ticks} ticks`);
    const catalog = await queued;
    assert.ok(catalog.schemas.some((s) => s.name === 'public' && s.tables.some((t) => t.name === 'accounts')));
  });

  it('a cancelled request that waits for its turn never runs', async () => {
    const host = openDemoWarehouse(path.join(dir, 'data'));
    const first = host.run([{ sql: 'select pg_sleep(1)' }]);
    const abort = new AbortController();
    const second = host.run([{ sql: `CREATE TABLE public.never_created (id int)` }], { signal: abort.signal });
    abort.abort();
    await assert.rejects(second, /Cancelled/);
    await first;
    const found = await rows<{ t: string | null }>(host, `SELECT to_regclass('public.never_created')::text AS t`);
    assert.equal(found[0]?.t, null);
  });

  it('a request cancelled while the thread starts never runs, and the next one does not wait for it', async () => {
    const host = openDemoWarehouse(path.join(dir, 'data'));
    await host.close(); // the next request starts a new thread
    const abort = new AbortController();
    const starting = host.run([{ sql: `CREATE TABLE public.never_started (id int)` }], { signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(starting, /Cancelled/);
    const found = await rows<{ t: string | null }>(host, `SELECT to_regclass('public.never_started')::text AS t`);
    assert.equal(found[0]?.t, null);
  });

  it('a sync session has the database to itself: a preview waits until it ends', async () => {
    const warehouse = new DemoWarehouse(path.join(dir, 'data'));
    const order: string[] = [];
    let preview: Promise<unknown> | undefined;
    await warehouse.withSqlSession(new AbortController().signal, async (session) => {
      await session.query('BEGIN');
      await session.query('CREATE TABLE public.session_only (id int)');
      preview = warehouse.openPreview('SELECT count(*) FROM public.accounts', { timeoutMs: 10_000, signal: new AbortController().signal }).then(() => order.push('preview'));
      await new Promise((r) => setTimeout(r, 200));
      await session.query('ROLLBACK');
      order.push('session');
    });
    await preview;
    assert.deepEqual(order, ['session', 'preview']);
  });

  it('keys longer than the kept 64 K characters that differ only after them are not duplicates', async () => {
    const warehouse = new DemoWarehouse(path.join(dir, 'data'));
    const previews = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
    try {
      const sql = `SELECT repeat('k', ${KEPT_CELL_CHARS}) || n AS id FROM generate_series(1, 3) AS n UNION ALL SELECT 'short'`;
      const r = await previews.open({ warehouse, dialect: 'postgres', sql, primaryKey: 'id' }, new AbortController().signal);
      assert.ok(r.ok, JSON.stringify(r).slice(0, 300));
      assert.equal(r.page.rows.length, 4);
      assert.deepEqual(r.page.keys.duplicates, []);
      assert.deepEqual(r.page.keys.flaggedRows, []);
    } finally {
      await previews.closeAll();
    }
  });

  it('close() while a sync session holds the turn: its later statements fail, none runs on a new thread outside its transaction', async () => {
    const data = path.join(dir, 'data');
    const warehouse = new DemoWarehouse(data);
    const host = openDemoWarehouse(data);
    await host.run([{ sql: 'CREATE TABLE public.closed_mid_session (id int)' }]);
    const errors: string[] = [];
    const session = warehouse.withSqlSession(new AbortController().signal, async (db) => {
      await db.query('BEGIN');
      await db.query('INSERT INTO public.closed_mid_session VALUES (1)');
      await closeDemoWarehouses(); // the language server shuts down meanwhile
      await db.query('INSERT INTO public.closed_mid_session VALUES (2)').catch((e: Error) => errors.push(e.message));
      await db.query('ROLLBACK').catch(() => undefined);
    });
    await session;
    assert.equal(errors.length, 1, 'the second INSERT is refused');
    const left = await rows<{ id: number }>(openDemoWarehouse(data), 'SELECT id FROM public.closed_mid_session');
    assert.deepEqual(left, [], 'nothing of the rolled-back session was committed');
  });

  it('a sync session leaves nothing behind: its open transaction, settings and temporary tables end with it', async () => {
    const data = path.join(dir, 'data');
    const warehouse = new DemoWarehouse(data);
    const host = openDemoWarehouse(data);
    await host.run([{ sql: 'CREATE TABLE public.left_open (id int)' }]);
    await assert.rejects(
      warehouse.withSqlSession(new AbortController().signal, async (db) => {
        await db.query(`SET application_name = 'left by the session'`);
        await db.query('CREATE TEMP TABLE session_temp (id int)');
        await db.query('BEGIN');
        await db.query('INSERT INTO public.left_open VALUES (1)');
        throw new Error('the sync failed here');
      }),
      /the sync failed here/,
    );
    // A preview's page runs in a transaction of its own: it must not commit what the session left open.
    const cursor = await warehouse.openPreview(`SELECT current_setting('application_name') AS a, to_regclass('session_temp')::text AS t`, { timeoutMs: 10_000, signal: new AbortController().signal });
    assert.deepEqual(cursor.takeFirst().rows, [['', null]]);
    await host.close();
    const left = await rows<{ n: number }>(openDemoWarehouse(data), 'SELECT count(*)::int AS n FROM public.left_open');
    assert.equal(left[0]?.n, 0);
  });

  it('exports the whole result from one cursor: COPY\'s CSV conventions, JSON Lines cells; a cancel stops it and the next query runs', async () => {
    const warehouse = new DemoWarehouse(path.join(dir, 'data'));
    const read = (sql: string, format: 'csv' | 'jsonl', signal?: AbortSignal, onBatch?: () => void) => readAllText(warehouse, sql, format, signal, onBatch);
    const awkward = `SELECT * FROM (VALUES (1, NULL::text, 2::bigint, true, '2026-11-24 21:00:00+00'::timestamptz), (2, '', 9007199254740993, false, NULL), (3, E'a "b",\\nc', NULL, NULL, NULL)) AS v(id, t, big, flag, at)`;
    assert.equal(
      await read(awkward, 'csv'),
      'id,t,big,flag,at\n1,,2,t,2026-11-24 21:00:00+00\n2,"",9007199254740993,f,\n3,"a ""b"",\nc",,,\n',
    );
    assert.deepEqual((await read(awkward, 'jsonl')).trim().split('\n').map((l) => JSON.parse(l) as unknown), [
      { id: 1, t: null, big: '2', flag: true, at: '2026-11-24T21:00:00+00:00' },
      { id: 2, t: '', big: '9007199254740993', flag: false, at: null },
      { id: 3, t: 'a "b",\nc', big: null, flag: null, at: null },
    ]);
    const events = await read('SELECT * FROM public.events ORDER BY id', 'csv');
    assert.equal(events.trimEnd().split('\n').length, 1 + 6000, 'every row of the 6,000, in batches');
    const controller = new AbortController();
    const stopped = await read('SELECT * FROM public.events', 'csv', controller.signal, () => controller.abort()).then(() => 'finished', (err: { kind?: string }) => err.kind);
    assert.equal(stopped, 'cancelled');
    const after = await warehouse.openPreview('SELECT count(*)::int AS n FROM public.users', { timeoutMs: 10_000, signal: new AbortController().signal });
    assert.deepEqual(after.takeFirst().rows, [[2000]]);
  });
});
