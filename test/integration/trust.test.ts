// Trust: a model only reads, and every row is delivered or recorded. Each case is an attack or a fault
// found on an earlier main, run against real parts: a throwaway PostgreSQL server whose database has
// standard_conforming_strings = off (a role or database may set it), the dblink extension, and a local
// HTTP receiver that answers as a broken proxy, a redirect, a dead or slow destination would.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type pg from 'pg';
import type { SyncResult } from '../../protocol/src/sync';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { syncConnection } from '../../server/src/sync/syncConnection';
import { ran, SyncScheduler } from '../../server/src/sync/scheduler';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { retlAsync } from '../helpers/cli';
import { startReceiver, type Answer, type HttpReceiver, type Received } from '../helpers/httpReceiver';
import { sharedPostgres, stopSharedPostgres, type TestPostgres } from '../helpers/postgres';

after(() => stopSharedPostgres());

const ROWS = 300;
const VICTIMS = 5;

interface HookItem {
  op: 'upsert' | 'delete';
  key: string;
  fields: Record<string, unknown>;
}

// Text that libpg-query (standard_conforming_strings on) reads as one SELECT of two string literals, but a
// server with the setting off reads as: the preview's wrap closed early, COMMIT, a DELETE, and a SELECT
// that swallows the rest of the wrap.
const HIDDEN_DELETE = "SELECT 1 AS id, '\\' , ' ) AS q; COMMIT; DELETE FROM public.victim; SELECT * FROM (SELECT 1 --' AS s\n";
// The same trick inside one statement: a call the parser never saw.
const HIDDEN_CALL = "SELECT 1 AS id, '\\' , ' AS a, pg_advisory_lock(4242) AS b --' AS s\n";

describe('trust: a model only reads; every row is delivered or recorded (real PostgreSQL, local receiver)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'retl-trust-'));
  let server: TestPostgres;
  let database: string;
  let wh: pg.Client;
  let receiver: HttpReceiver;
  let engine: Engine;
  /** Keys of the batches the receiver acknowledged as itself (an answer of ours with 200), per key the last fields. */
  let acknowledged: Map<string, HookItem>;
  let fault: ((r: Received) => Answer) | undefined;

  const victims = async () => (await wh.query('SELECT count(*)::int AS n FROM public.victim')).rows[0].n as number;
  const newEngine = async () => {
    await engine?.dispose();
    const store = new ConfigStore(path.join(dir, 'retl.yaml'));
    assert.deepEqual((await store.load()).problems, []);
    engine = new Engine(store, NO_STORED_SECRETS, path.join(dir, '.retl', 'demo'));
  };
  const sync = (id: string, options: { full?: boolean } = {}): Promise<SyncResult> =>
    syncConnection(engine, id, { signal: new AbortController().signal, retryDelaysMs: [], ...options });
  const modelRows = async () =>
    new Map((await wh.query<{ id: number; v: string; at: string }>(`SELECT id, v, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS at FROM public.items`)).rows.map((r) => [String(r.id), r]));

  before(async () => {
    server = await sharedPostgres();
    const suffix = Math.random().toString(36).slice(2, 8);
    database = `retl_trust_${suffix}`;
    const admin = await server.admin();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`ALTER DATABASE ${database} SET standard_conforming_strings = off`);
    await admin.end();
    wh = await server.admin(database);
    await wh.query(`
      CREATE SCHEMA _retl;
      CREATE EXTENSION dblink;
      CREATE TABLE public.items AS
        SELECT i AS id, 'v' || i AS v, timestamptz '2026-06-01 12:00:00+00' + i * interval '1 hour' AS at FROM generate_series(1, ${ROWS}) AS i;
      ALTER TABLE public.items ADD PRIMARY KEY (id);
      CREATE TABLE public.victim AS SELECT i AS id FROM generate_series(1, ${VICTIMS}) AS i;
      CREATE FUNCTION public.purge() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.victim; RETURN 1; END $$;
      CREATE FUNCTION public.shift_path() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('search_path', 'nowhere', false); RETURN 1; END $$;`);
    receiver = await startReceiver();
    receiver.answer = (r) => {
      const a = fault?.(r) ?? { status: 200 };
      if (!('never' in a) && a.status === 200 && a.raw === undefined) {
        for (const item of (r.body as { batch?: HookItem[] } | undefined)?.batch ?? []) acknowledged.set(item.key, item);
      }
      return a;
    };
    process.env.RETL_TRUST_PW = server.adminPassword;
    mkdirSync(path.join(dir, 'models'));
    const models: Record<string, string> = {
      items: 'SELECT id, v, at FROM public.items\n',
      purge: 'SELECT id, v FROM public.items WHERE public.purge() = 1\n',
      shift_path: 'SELECT id, v FROM public.items WHERE id <= 3 AND public.shift_path() = 1\n',
      hidden_delete: HIDDEN_DELETE,
      hidden_call: HIDDEN_CALL,
      dblink_model: `SELECT 1 AS id, dblink_exec('host=127.0.0.1 port=${server.port} dbname=${database} user=${server.adminUser} password=${server.adminPassword}', 'DELETE FROM public.victim') AS r\n`,
    };
    for (const [id, text] of Object.entries(models)) writeFileSync(path.join(dir, 'models', `${id}.sql`), text);
    const hook = (id: string, timeout: number) => `  - id: ${id}\n    type: webhook\n    url: ${receiver.url}/${id}\n    batchSize: 100\n    timeoutSeconds: ${timeout}\n`;
    writeFileSync(
      path.join(dir, 'retl.yaml'),
      `version: 1
credentials:
  - id: wh
    type: postgres
    host: ${server.host}
    port: ${server.port}
    database: ${database}
    user: ${server.adminUser}
    passwordEnv: RETL_TRUST_PW
    ssl: disable
models:
${Object.keys(models).map((id) => `  - id: ${id}\n    name: ${id}\n    credentials: wh\n    query: models/${id}.sql\n    primaryKey: id\n`).join('')}destinations:
${hook('hook', 1)}${hook('patient', 600)}connections:
  - { id: items_hook, model: items, destination: hook, mode: mirror }
  - { id: purge_hook, model: purge, destination: hook }
  - { id: shift_hook, model: shift_path, destination: hook }
  - { id: hidden_hook, model: hidden_delete, destination: hook }
  - { id: dblink_hook, model: dblink_model, destination: hook }
  - { id: nightly, model: items, destination: patient, schedule: 1h }
`,
    );
    await newEngine();
  });

  after(async () => {
    await engine?.dispose();
    await receiver?.close();
    await wh?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fault = undefined;
    acknowledged = new Map();
  });

  describe('a model only reads', () => {
    it('sync reads the model READ ONLY: a function that deletes is refused, nothing is deleted or sent', async () => {
      const before = receiver.requests.length;
      await assert.rejects(sync('purge_hook'), /read-only transaction/);
      assert.equal(await victims(), VICTIMS);
      assert.equal(receiver.requests.length, before);
    });

    it('with standard_conforming_strings = off a hidden "; COMMIT; DELETE" stays a string literal (preview, columns, sync)', async () => {
      const preview = await engine.openPreview({ modelId: 'hidden_delete' }, new AbortController().signal);
      assert.ok(preview.ok, JSON.stringify(preview));
      assert.deepEqual(preview.page.rows, [[1, '\\', ' ) AS q; COMMIT; DELETE FROM public.victim; SELECT * FROM (SELECT 1 --']]);
      await engine.previews.close(preview.page.sessionId);
      assert.deepEqual(await engine.modelColumns('hidden_delete', new AbortController().signal), ['id', '?column?', 's']);
      const r = await sync('hidden_hook');
      assert.equal(r.added, 1);
      assert.equal(await victims(), VICTIMS, 'the DELETE never ran');
    });

    it('with standard_conforming_strings = off a function call hidden inside one statement is never made', async () => {
      const preview = await engine.openPreview({ modelId: 'hidden_call' }, new AbortController().signal);
      assert.ok(preview.ok, JSON.stringify(preview));
      assert.deepEqual(preview.page.rows[0], [1, '\\', ' AS a, pg_advisory_lock(4242) AS b --']);
      await engine.previews.close(preview.page.sessionId);
      const locks = await wh.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242`);
      assert.equal(locks.rows[0].n, 0, 'no advisory lock was taken');
    });

    it('a session setting a model\'s function changes (search_path) does not outlive the run in the pooled connection', async () => {
      const r = await sync('shift_hook');
      assert.equal(r.added, 3);
      const warehouse = await engine.warehouses.get(engine.credentials('wh'));
      const [row] = await warehouse.withSqlSession!(new AbortController().signal, (db) => db.query<{ search_path: string }>('SHOW search_path'));
      assert.equal(row!.search_path, '"$user", public');
    });

    it('dblink_exec is refused by name in preview and sync, naming the function; nothing is deleted', async () => {
      const preview = await engine.openPreview({ modelId: 'dblink_model' }, new AbortController().signal);
      assert.equal(preview.ok, false);
      assert.match(!preview.ok ? preview.error.message : '', /dblink_exec\(\) is not allowed in a model: it acts outside the read-only transaction/);
      await assert.rejects(sync('dblink_hook'), /dblink_exec\(\) is not allowed/);
      assert.equal(await victims(), VICTIMS);
    });
  });

  describe('Verify Credentials warns about rights that reach outside read-only', () => {
    it('warns on a superuser with the SQL that removes the right; the checks still pass', async () => {
      const result = await engine.verify('wh', () => undefined, new AbortController().signal);
      assert.equal(result.ok, true);
      const connection = result.checks.find((c) => c.id === 'connection')!;
      assert.match(connection.warning ?? '', /is a superuser/);
      assert.match(connection.remediation ?? '', new RegExp(`ALTER ROLE "${server.adminUser}" NOSUPERUSER;`));
    });

    it('warns on a role that may execute dblink_exec or signal backends; after the fix SQL runs, no warning', async () => {
      const user = `trust_reader_${Math.random().toString(36).slice(2, 8)}`;
      await wh.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw-${user}'; GRANT pg_signal_backend TO ${user}; GRANT USAGE, CREATE ON SCHEMA _retl TO ${user}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${user}`);
      process.env.RETL_TRUST_READER_PW = `pw-${user}`;
      const creds = { id: 'reader', type: 'postgres' as const, host: server.host, port: server.port, database, user, passwordEnv: 'RETL_TRUST_READER_PW', ssl: 'disable' as const };
      const first = (await engine.verify('reader', () => undefined, new AbortController().signal, creds)).checks[0]!;
      assert.equal(first.status, 'passed');
      assert.match(first.warning ?? '', /member of pg_signal_backend/);
      assert.match(first.warning ?? '', /may execute [^;]*public\.dblink_exec\b/);
      assert.match(first.remediation ?? '', /REVOKE EXECUTE ON FUNCTION public\.dblink_exec\(text, text\) FROM PUBLIC/);
      await wh.query(first.remediation!);
      await engine.warehouses.forget('reader');
      const after = (await engine.verify('reader', () => undefined, new AbortController().signal, creds)).checks[0]!;
      assert.equal(after.status, 'passed');
      assert.equal(after.warning, undefined, after.warning);
      await engine.warehouses.forget('reader');
    });
  });

  describe('every row is delivered or recorded', () => {
    const changeEveryRow = (tag: string) => wh.query(`UPDATE public.items SET v = '${tag}' || id`);
    /** After the fault, the destination is fixed: the next run must leave the receiver with every row as the model has it. */
    const rerunDeliversAll = async () => {
      fault = undefined;
      const r = await sync('items_hook');
      assert.equal(r.error, undefined);
      assert.equal(r.failed + r.unsent, 0);
      const rows = await modelRows();
      assert.deepEqual([...acknowledged.keys()].sort(), [...rows.keys()].sort(), 'every key acknowledged');
      for (const [key, row] of rows) assert.equal(acknowledged.get(key)!.fields.v, row.v, `row ${key} as the model has it`);
    };

    before(async () => {
      acknowledged = new Map();
      await sync('items_hook'); // the snapshot holds every row
    });

    it('a 200 with an HTML page (a proxy\'s login) is not a delivery: every row refused, recorded, sent again', async () => {
      await changeEveryRow('html');
      fault = () => ({ status: 200, raw: '<!doctype html><title>Sign in</title>', headers: { 'content-type': 'text/html' } });
      const r = await sync('items_hook');
      assert.equal(r.failed, ROWS);
      const reason = (await wh.query(`SELECT reason FROM _retl.fail_items_hook LIMIT 1`)).rows[0].reason as string;
      assert.match(reason, /HTTP 200 with a body that is not the webhook's answer \(text\/html: "<!doctype html><title>Sign in<\/title>"\)/);
      await rerunDeliversAll();
    });

    it('a 301 is not followed (the POST would become a GET): the batch fails naming the Location', async () => {
      await changeEveryRow('moved');
      fault = (r) => (r.path === '/hook' ? { status: 301, raw: '', headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 });
      const before = receiver.requests.length;
      const r = await sync('items_hook');
      assert.equal(r.failed, ROWS);
      assert.ok(!receiver.requests.slice(before).some((q) => q.path === '/elsewhere'), 'the redirect was not followed');
      const reason = (await wh.query(`SELECT reason FROM _retl.fail_items_hook LIMIT 1`)).rows[0].reason as string;
      assert.match(reason, new RegExp(`HTTP 301 redirect to ${receiver.url}/elsewhere: not followed`));
      await rerunDeliversAll();
    });

    it('a destination that never answers times out by our own timer (timeoutSeconds) and the rows wait', async () => {
      await changeEveryRow('never');
      fault = () => ({ never: true });
      const started = Date.now();
      const r = await sync('items_hook');
      assert.match(r.error ?? '', /no answer within 1 s/);
      assert.equal(r.unsent, ROWS);
      assert.ok(Date.now() - started < 20_000, `the run ended after ${Date.now() - started} ms`);
      await rerunDeliversAll();
    });

    it('a destination answering 500 forever stops the run; retl sync exits 1 and says how many rows wait', async () => {
      await changeEveryRow('down');
      fault = () => ({ status: 500, body: { error: 'down' } });
      const cli = await retlAsync(['sync', 'items_hook', '--config', path.join(dir, 'retl.yaml')], dir, {});
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /kept failing: HTTP 500/);
      assert.match(cli.stdout, new RegExp(`${ROWS} rows were not acknowledged and wait for the next run\\.`));
      await rerunDeliversAll();
    });

    it('a slow destination (answering within the timeout) gets every row once', async () => {
      await changeEveryRow('slow');
      fault = (r) => {
        for (const item of (r.body as { batch: HookItem[] }).batch) acknowledged.set(item.key, item);
        return { status: 200, delayMs: 400, raw: '', headers: {} };
      };
      const r = await sync('items_hook');
      assert.deepEqual([r.changed, r.failed, r.unsent], [ROWS, 0, 0]);
      assert.equal(acknowledged.size, ROWS);
    });

    it('Full Sync of a mirror connection sends every current row and still deletes the rows that left the model', async () => {
      await wh.query('DELETE FROM public.items WHERE id IN (7, 8, 9)');
      const before = receiver.requests.length;
      const r = await sync('items_hook', { full: true });
      assert.deepEqual([r.changed + r.added, r.removed, r.failed], [ROWS - 3, 3, 0]);
      const items = receiver.requests.slice(before).flatMap((q) => (q.body as { batch: HookItem[] }).batch);
      assert.deepEqual(items.filter((i) => i.op === 'delete').map((i) => i.key).sort(), ['7', '8', '9']);
      assert.equal(items.filter((i) => i.op === 'upsert').length, ROWS - 3);
    });

    it('a run from a session with another TimeZone sends nothing when nothing changed; values are sent in UTC', async () => {
      assert.equal((await sync('items_hook')).changed, 0);
      await wh.query(`ALTER DATABASE ${database} SET TimeZone = 'Asia/Kathmandu'`);
      await newEngine(); // new connections take the database's setting
      const before = receiver.requests.length;
      const r = await sync('items_hook');
      assert.deepEqual([r.added, r.changed, r.removed], [0, 0, 0], 'no row looks changed');
      assert.equal(receiver.requests.length, before);
      await wh.query('UPDATE public.items SET v = v WHERE id = 1'); // not a change of value either
      await wh.query(`UPDATE public.items SET v = 'tz' WHERE id = 2`);
      await sync('items_hook');
      const sent = receiver.requests.slice(before).flatMap((q) => (q.body as { batch: HookItem[] }).batch);
      assert.deepEqual(sent.map((i) => [i.key, i.fields.at]), [['2', '2026-06-01T14:00:00+00:00']]);
    });

    it('a scheduled run is cancelled on shutdown and records how far it got before the scheduler lets go', async () => {
      fault = (r) => (r.path === '/patient' ? { never: true } : { status: 200 });
      const outcomes: string[] = [];
      const scheduler = new SyncScheduler(
        engine,
        async (id, signal) => ({ ok: true, result: await syncConnection(engine, id, { signal }) }),
        (checks) => checks.filter(ran).forEach((run) => outcomes.push(run.outcome.ok ? (run.outcome.result.error ?? 'done') : run.outcome.message)),
      );
      const before = receiver.requests.length;
      const tick = scheduler.tick();
      while (!receiver.requests.slice(before).some((q) => q.path === '/patient')) await new Promise((r) => setTimeout(r, 50));
      await scheduler.dispose();
      await tick;
      assert.deepEqual(outcomes, ['Cancelled.']);
      const [run] = (await wh.query(`SELECT finished_at IS NOT NULL AS finished, error FROM _retl.runs WHERE connection = 'nightly' ORDER BY id DESC LIMIT 1`)).rows;
      assert.deepEqual(run, { finished: true, error: 'Cancelled.' });
    });
  });
});
