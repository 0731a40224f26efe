// Sync against real parts: a throwaway PostgreSQL server is the warehouse and, in another database, the
// destination table; a local HTTP receiver stands in for a webhook and RudderStack's /v1/batch.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type pg from 'pg';
import type { SyncResult } from '../../protocol/src/sync';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { syncConnection } from '../../server/src/sync/syncConnection';
import { SyncError } from '../../server/src/sync/syncRunner';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { retlAsync } from '../helpers/cli';
import { startReceiver, type HttpReceiver, type Received } from '../helpers/httpReceiver';
import { sharedPostgres, stopSharedPostgres } from '../helpers/postgres';

after(() => stopSharedPostgres());

const ROWS = 1_200;

interface HookItem {
  op: 'upsert' | 'delete';
  key: string;
  fields: Record<string, unknown>;
}

describe('sync (real PostgreSQL warehouse and destination, local HTTP receiver)', function () {
  this.timeout(120_000);
  // Each test has its own warehouse and destination databases, workspace, receiver and engine: what a
  // test needs from an earlier run (the snapshot of a first sync), it runs itself.
  let dir = '';
  const tmp = () => dir;
  let warehouse: pg.Client;
  let destination: pg.Client;
  let receiver: HttpReceiver;
  let engine: Engine;

  const hookItems = (from = 0): HookItem[] =>
    receiver.requests
      .slice(from)
      .filter((r) => r.path === '/hook')
      .flatMap((r) => (r.body as { batch: HookItem[] }).batch);
  const sync = (id: string, options: { full?: boolean; signal?: AbortSignal; onProgress?: () => void } = {}): Promise<SyncResult> =>
    syncConnection(engine, id, { signal: new AbortController().signal, retryDelaysMs: [], ...options }, { ...process.env, RETL_SYNC_HOOK_TOKEN: 'Bearer t0ken', RETL_SYNC_RS_KEY: 'wk' });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'retl-sync-'));
    const server = await sharedPostgres();
    const suffix = Math.random().toString(36).slice(2, 8);
    const admin = await server.admin();
    await admin.query(`CREATE DATABASE retl_sync_${suffix}`);
    await admin.query(`CREATE DATABASE retl_dest_${suffix}`);
    await admin.end();
    warehouse = await server.admin(`retl_sync_${suffix}`);
    await warehouse.query(`
      CREATE SCHEMA _retl;
      CREATE TABLE public.customers AS
        SELECT i AS id, 'user' || i || '@example.com' AS email, (ARRAY['free','team','enterprise'])[1 + i % 3] AS plan, i % 97 AS score
        FROM generate_series(1, ${ROWS}) AS i;
      ALTER TABLE public.customers ADD PRIMARY KEY (id);`);
    destination = await server.admin(`retl_dest_${suffix}`);
    await destination.query('CREATE TABLE public.crm (customer_id integer PRIMARY KEY, email text NOT NULL, tier text CHECK (tier <> \'banned\'))');
    receiver = await startReceiver();
    process.env.RETL_SYNC_PW = server.adminPassword;
    mkdirSync(path.join(tmp(), 'models'));
    writeFileSync(path.join(tmp(), 'models', 'customers.sql'), 'SELECT id, email, plan, score FROM public.customers\n');
    writeFileSync(path.join(tmp(), 'models', 'broken.sql'), 'SELECT id, 100 / (id - 5) AS ratio FROM public.customers\n');
    writeFileSync(path.join(tmp(), 'models', 'dups.sql'), 'SELECT id, email FROM public.customers WHERE id <= 10\nUNION ALL SELECT 3, \'again@example.com\'\nUNION ALL SELECT NULL, \'nobody@example.com\'\n');
    const creds = (id: string, db: string) =>
      `  - id: ${id}\n    type: postgres\n    host: ${server.host}\n    port: ${server.port}\n    database: ${db}\n    user: ${server.adminUser}\n    passwordEnv: RETL_SYNC_PW\n    ssl: disable\n`;
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      `version: 1
credentials:
${creds('wh', `retl_sync_${suffix}`)}${creds('crm_db', `retl_dest_${suffix}`)}models:
  - id: customers
    name: Customers
    credentials: wh
    query: models/customers.sql
    primaryKey: id
  - id: dups
    name: Dups
    credentials: wh
    query: models/dups.sql
    primaryKey: id
  - id: broken
    name: Broken
    credentials: wh
    query: models/broken.sql
    primaryKey: id
destinations:
  - id: hook
    type: webhook
    url: ${receiver.url}/hook
    headers: { x-team: data }
    headersEnv: { authorization: RETL_SYNC_HOOK_TOKEN }
    batchSize: 100
  - id: rs
    type: rudderstack
    dataPlaneUrl: ${receiver.url}/rs
    writeKeyEnv: RETL_SYNC_RS_KEY
  - id: crm
    type: postgres
    credentials: crm_db
    table: public.crm
    batchSize: 250
connections:
  - id: to_hook
    model: customers
    destination: hook
    mode: mirror
    mapping: { id: id, email: email, plan: plan }
  - id: to_crm
    model: customers
    destination: crm
    mode: mirror
    mapping: { id: customer_id, email: email, plan: tier }
  - id: to_rs
    model: customers
    destination: rs
    mode: upsert
    event: { type: identify, userIdColumn: id }
    mapping: { id: id, email: email, plan: plan }
  - id: bad_map
    model: customers
    destination: hook
    mapping: { id: id, emial: email }
  - id: dups_hook
    model: dups
    destination: hook
  - id: broken_hook
    model: broken
    destination: hook
  - id: hourly_hook
    model: customers
    destination: hook
    mapping: { id: id }
    schedule: 1h
`,
    );
    const store = new ConfigStore(path.join(tmp(), 'retl.yaml'));
    const loaded = await store.load();
    assert.deepEqual(loaded.problems, []);
    engine = new Engine(store, NO_STORED_SECRETS, path.join(tmp(), '.retl', 'demo'));
  });

  afterEach(async () => {
    await engine?.dispose();
    await receiver?.close();
    await warehouse?.end();
    await destination?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The first run of to_hook, whose snapshot the test's own changes are measured against. */
  const firstRun = async () => assert.equal((await sync('to_hook')).added, ROWS);

  it('first run sends every row in batches, with the mapping and the headers', async () => {
    const before = receiver.requests.length;
    const r = await sync('to_hook');
    assert.deepEqual([r.added, r.changed, r.removed, r.failed, r.invalid, r.unsent], [ROWS, 0, 0, 0, 0, 0]);
    const items = hookItems(before);
    assert.equal(items.length, ROWS);
    assert.equal(new Set(items.map((i) => i.key)).size, ROWS);
    assert.deepEqual(items.find((i) => i.key === '7'), { op: 'upsert', key: '7', fields: { id: 7, email: 'user7@example.com', plan: 'team' } });
    assert.equal(receiver.requests.length - before, ROWS / 100);
    const first = receiver.requests[before]!;
    assert.equal(first.headers.authorization, 'Bearer t0ken');
    assert.equal(first.headers['x-team'], 'data');
    const again = await sync('to_hook');
    assert.deepEqual([again.added, again.changed, again.removed], [0, 0, 0], 'nothing changed, nothing sent');
  });

  it('after 10 updates, 5 deletes and 7 inserts sends exactly those (mirror sends the deletes)', async () => {
    await firstRun();
    await warehouse.query(`UPDATE public.customers SET plan = 'enterprise', score = score + 1 WHERE id BETWEEN 101 AND 110 AND plan <> 'enterprise'`);
    const updated = (await warehouse.query(`SELECT count(*)::int AS n FROM public.customers WHERE id BETWEEN 101 AND 110 AND score <> id % 97`)).rows[0].n as number;
    await warehouse.query('UPDATE public.customers SET score = score + 1000 WHERE id = 200'); // an unmapped column: no change downstream
    await warehouse.query('DELETE FROM public.customers WHERE id BETWEEN 501 AND 505');
    await warehouse.query(`INSERT INTO public.customers SELECT i, 'new' || i || '@example.com', 'free', 0 FROM generate_series(${ROWS + 1}, ${ROWS + 7}) AS i`);
    const before = receiver.requests.length;
    const r = await sync('to_hook');
    assert.deepEqual([r.added, r.changed, r.removed, r.failed], [7, updated, 5, 0]);
    const items = hookItems(before);
    assert.deepEqual(items.filter((i) => i.op === 'delete').map((i) => i.key).sort(), ['501', '502', '503', '504', '505']);
    assert.deepEqual(items.filter((i) => i.op === 'upsert').length, 7 + updated);
    assert.ok(!items.some((i) => i.key === '200'));
  });

  it('a batch answered 500 is not lost: the run stops, the next run delivers every remaining row', async () => {
    await firstRun();
    await warehouse.query(`UPDATE public.customers SET email = 'x' || email WHERE id <= 350`);
    let sentOk = 0;
    receiver.answer = () => {
      if (sentOk === 2) {
        sentOk++;
        return { status: 500, body: { error: 'down' } };
      }
      sentOk++;
      return { status: 200 };
    };
    const before = receiver.requests.length;
    const r1 = await sync('to_hook');
    assert.match(r1.error ?? '', /kept failing: HTTP 500/);
    assert.equal(r1.changed, 200);
    assert.equal(r1.unsent, 150);
    receiver.answer = () => ({ status: 200 });
    const r2 = await sync('to_hook');
    assert.equal(r2.error, undefined);
    assert.equal(r2.changed, 150);
    const delivered = new Set(hookItems(before).map((i) => i.key));
    for (let id = 1; id <= 350; id++) assert.ok(delivered.has(String(id)), `row ${id} delivered`);
  });

  it('rows the receiver rejects are recorded with the reason and sent again on the next run', async () => {
    await firstRun();
    await warehouse.query(`UPDATE public.customers SET email = 'r' || email WHERE id IN (11, 12, 13, 14)`);
    receiver.answer = (r: Received) => {
      const keys = (r.body as { batch: HookItem[] }).batch.map((i) => i.key);
      return { status: 200, body: { rejected: keys.filter((k) => k === '12' || k === '13').map((key) => ({ key, reason: `bad email for ${key}` })) } };
    };
    const r1 = await sync('to_hook');
    assert.equal(r1.failed, 2);
    assert.equal(r1.changed, 2);
    const recorded = await warehouse.query(`SELECT key, reason, attempts FROM _retl.fail_to_hook ORDER BY key`);
    assert.deepEqual(recorded.rows, [
      { key: '12', reason: 'bad email for 12', attempts: 1 },
      { key: '13', reason: 'bad email for 13', attempts: 1 },
    ]);
    receiver.answer = () => ({ status: 200 });
    const before = receiver.requests.length;
    const r2 = await sync('to_hook');
    assert.equal(r2.failed, 0);
    assert.deepEqual(hookItems(before).map((i) => i.key).sort(), ['12', '13']);
    assert.equal((await warehouse.query('SELECT count(*)::int AS n FROM _retl.fail_to_hook')).rows[0].n, 0);
  });

  it('a run cancelled half way loses no row: the next run sends the rest', async () => {
    await firstRun();
    await warehouse.query(`UPDATE public.customers SET email = 'c' || email WHERE id <= 500`);
    const controller = new AbortController();
    let batches = 0;
    const before = receiver.requests.length;
    const r1 = await sync('to_hook', { signal: controller.signal, onProgress: () => ++batches === 2 && controller.abort() });
    assert.equal(r1.error, 'Cancelled.');
    assert.equal(r1.changed, 200);
    const r2 = await sync('to_hook');
    assert.equal(r2.changed, 300);
    const delivered = new Set(hookItems(before).map((i) => i.key));
    assert.equal(delivered.size, 500);
  });

  it('full sync sends every row again (as updates of the rows the destination has)', async () => {
    await firstRun();
    const count = (await warehouse.query('SELECT count(*)::int AS n FROM public.customers')).rows[0].n as number;
    const r = await sync('to_hook', { full: true });
    assert.deepEqual([r.added, r.changed, r.removed, r.full], [0, count, 0, true]);
    const runs = await warehouse.query(`SELECT full_sync, changed FROM _retl.runs WHERE connection = 'to_hook' ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(runs.rows[0], { full_sync: true, changed: count });
  });

  it('retl sync killed with SIGKILL half way loses no row: the next run delivers the rest (--json, exit codes)', async () => {
    await firstRun();
    await warehouse.query(`UPDATE public.customers SET email = 'k' || email WHERE id <= 400`);
    const env = { RETL_SYNC_HOOK_TOKEN: 'Bearer t0ken' };
    const args = ['sync', 'to_hook', '--json', '--config', path.join(dir, 'retl.yaml')];
    const before = receiver.requests.length;
    let child: ChildProcess | undefined;
    // The second batch arrives, and the process dies before it hears the answer.
    receiver.answer = (_r, i) => {
      if (i === before + 1) child?.kill('SIGKILL');
      return { status: 200 };
    };
    const killed = await retlAsync(args, dir, env, (c) => (child = c));
    assert.equal(killed.code, null, 'killed by the signal');
    receiver.answer = () => ({ status: 200 });
    const again = await retlAsync(args, dir, env);
    assert.equal(again.code, 0, again.stderr);
    const out = JSON.parse(again.stdout) as SyncResult;
    assert.deepEqual(Object.keys(out).sort(), ['added', 'changed', 'connection', 'durationMs', 'failed', 'invalid', 'removed', 'run', 'unsent']);
    assert.equal(out.changed, 300, 'the first batch was acknowledged; the second (in flight) and the rest go again');
    assert.equal(new Set(hookItems(before).map((i) => i.key)).size, 400);
    const refused = await retlAsync(['sync', 'bad_map', '--json', '--config', path.join(dir, 'retl.yaml')], dir, env);
    assert.equal(refused.code, 3);
    assert.match(JSON.parse(refused.stderr).message, /maps "emial"/);
  });

  it('retl schedule --once runs the connections that are due, and not again within their interval', async () => {
    const args = ['schedule', '--once', '--json', '--config', path.join(dir, 'retl.yaml')];
    const env = { RETL_SYNC_HOOK_TOKEN: 'Bearer t0ken' };
    const first = await retlAsync(args, dir, env);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as SyncResult);
    assert.deepEqual(lines.map((l) => l.connection), ['hourly_hook'], 'only the scheduled connection runs');
    assert.ok(lines[0]!.added > 1000);
    const second = await retlAsync(args, dir, env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), '', 'an hourly connection that ran a moment ago is not due');
  });

  it('a model that fails in the warehouse sends nothing, and the run history says why', async () => {
    const before = receiver.requests.length;
    await assert.rejects(sync('broken_hook'), /division by zero/);
    assert.equal(receiver.requests.length, before);
    const runs = await warehouse.query(`SELECT finished_at IS NOT NULL AS finished, error FROM _retl.runs WHERE connection = 'broken_hook'`);
    assert.equal(runs.rows.length, 1);
    assert.equal(runs.rows[0].finished, true);
    assert.match(runs.rows[0].error as string, /division by zero/);
  });

  it('a mapping that names a missing column is an error before anything is sent', async () => {
    const before = receiver.requests.length;
    await assert.rejects(sync('bad_map'), (err: Error) => err instanceof SyncError && /maps "emial", which the model no longer returns/.test(err.message));
    assert.equal(receiver.requests.length, before);
  });

  it('NULL and duplicate primary keys are reported and recorded, never sent', async () => {
    const before = receiver.requests.length;
    const r = await sync('dups_hook');
    assert.equal(r.invalid, 3, 'two rows with key 3, one with no key');
    assert.equal(r.added, 9);
    assert.ok(!hookItems(before).some((i) => i.key === '3'));
    const recorded = await warehouse.query(`SELECT key, op, reason FROM _retl.fail_dups_hook`);
    assert.deepEqual(recorded.rows, [{ key: '3', op: 'invalid', reason: "primary key occurs 2 times in the model's result" }]);
  });

  it('a PostgreSQL table destination gets upserts and deletes on the key, typed, and refuses only the bad rows', async () => {
    const r1 = await sync('to_crm');
    const count = (await warehouse.query('SELECT count(*)::int AS n FROM public.customers')).rows[0].n as number;
    assert.equal(r1.added, count);
    const same = await destination.query(`SELECT count(*)::int AS n FROM public.crm`);
    assert.equal(same.rows[0].n, count);
    assert.deepEqual((await destination.query('SELECT customer_id, email, tier FROM public.crm WHERE customer_id = 7')).rows, [
      { customer_id: 7, email: (await warehouse.query('SELECT email FROM public.customers WHERE id = 7')).rows[0].email, tier: 'team' },
    ]);
    await warehouse.query(`UPDATE public.customers SET plan = 'banned' WHERE id = 20`);
    await warehouse.query(`UPDATE public.customers SET plan = 'team' WHERE id = 21`);
    await warehouse.query('DELETE FROM public.customers WHERE id = 22');
    const r2 = await sync('to_crm');
    assert.deepEqual([r2.changed, r2.removed, r2.failed], [1, 1, 1]);
    const reason = (await warehouse.query(`SELECT reason FROM _retl.fail_to_crm WHERE key = '20'`)).rows[0].reason as string;
    assert.match(reason, /check constraint/);
    assert.deepEqual((await destination.query('SELECT customer_id, tier FROM public.crm WHERE customer_id IN (20, 21, 22) ORDER BY 1')).rows, [
      { customer_id: 20, tier: 'enterprise' }, // the refused update left the row as it was
      { customer_id: 21, tier: 'team' },
    ]);
  });

  it('RudderStack gets identify events in /v1/batch with the write key, userId and traits', async () => {
    const before = receiver.requests.length;
    const r = await sync('to_rs');
    assert.ok(r.added > 1000);
    const request = receiver.requests[before]!;
    assert.equal(request.path, '/rs/v1/batch');
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('wk:').toString('base64')}`);
    const events = receiver.requests.slice(before).flatMap((q) => (q.body as { batch: Record<string, unknown>[] }).batch);
    assert.equal(events.length, r.added);
    const event = events.find((e) => e.userId === '7')!;
    assert.equal(event.type, 'identify');
    assert.deepEqual(Object.keys(event.traits as object).sort(), ['email', 'plan']);
    assert.match(String(event.messageId), /^retl-to_rs-7-[0-9a-f]{32}$/);
  });
});
