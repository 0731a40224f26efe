// The sync tests every warehouse that syncs must pass, written once: a backend gives a fresh warehouse
// per test with public.customers (ROWS rows: id, email, plan, score) and a state schema, and runs the
// test's SQL there. Run by sync.test.ts (a real PostgreSQL server) and snowflakeSync.test.ts (the
// Snowflake emulator through the real snowflake-sdk); a local HTTP receiver stands in for a webhook and
// RudderStack's /v1/batch.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FailedRowRecord, SyncResult, SyncRunRecord } from '../../protocol/src/sync';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { planConnection, syncConnection } from '../../server/src/sync/syncConnection';
import { SyncError } from '../../server/src/sync/syncDialect';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { retlAsync } from '../helpers/cli';
import { startReceiver, type HttpReceiver, type Received } from '../helpers/httpReceiver';

export const ROWS = 1_200;

type Rows = Record<string, unknown>[];

export interface SyncBackend {
  title: string;
  /** A fresh warehouse: returns the retl.yaml credentials entries, `wh` the warehouse (and `crm_db` when `destination`). */
  setUp(): Promise<string>;
  tearDown(): Promise<void>;
  /** The test's own SQL in the warehouse; column names lower-cased in the rows. */
  query(sql: string): Promise<Rows>;
  /** Adds customers `from` … `from + count - 1` with email new<i>@example.com, plan free, score 0. */
  insertCustomers(from: number, count: number): Promise<void>;
  /** A result column of public.customers as the warehouse names it (Snowflake upper-cases unquoted names). */
  col(name: string): string;
  /** A state table as the test's SQL names it. */
  stateTable(name: string): string;
  /** A model that fails in the warehouse, and what its error says. */
  broken: { sql: string; error: RegExp };
  /** Delivered batches one acknowledgement step covers (what a kill can send again). */
  batchesPerStep: number;
  /** SQL of each hash earlier versions kept for to_hook's rows (customers as c), by what it is: an upgrade sends nothing again. */
  legacyHashes?: [what: string, sql: string][];
  /** Environment the engine and the CLI need (passwords). */
  env: Record<string, string>;
  /** A PostgreSQL table destination (database `crm_db` with public.crm), where the backend has one. */
  destination?: { query(sql: string): Promise<Rows> };
}

interface HookItem {
  op: 'upsert' | 'delete';
  key: string;
  fields: Record<string, unknown>;
}

const n = (rows: Rows, name = 'n') => Number(rows[0]?.[name]);

export function syncScenarios(backend: SyncBackend): void {
  describe(`sync: ${backend.title}`, function () {
    this.timeout(180_000);
    // Each test has its own warehouse, workspace, receiver and engine: what a test needs from an earlier
    // run (the snapshot of a first sync), it runs itself.
    let dir = '';
    let receiver: HttpReceiver;
    let engine: Engine;
    const q = (sql: string) => backend.query(sql);
    const col = backend.col;

    const hookItems = (from = 0): HookItem[] =>
      receiver.requests
        .slice(from)
        .filter((r) => r.path === '/hook')
        .flatMap((r) => (r.body as { batch: HookItem[] }).batch);
    const env = () => ({ ...process.env, ...backend.env, RETL_SYNC_HOOK_TOKEN: 'Bearer t0ken', RETL_SYNC_RS_KEY: 'wk' });
    const sync = (id: string, options: { full?: boolean; signal?: AbortSignal; onProgress?: () => void; retryDelaysMs?: number[] } = {}): Promise<SyncResult> =>
      syncConnection(engine, id, { signal: new AbortController().signal, retryDelaysMs: [], ...options }, env());
    const cli = (args: string[], onSpawn?: (c: ChildProcess) => void) => retlAsync([...args, '--config', path.join(dir, 'retl.yaml')], dir, { ...backend.env, RETL_SYNC_HOOK_TOKEN: 'Bearer t0ken' }, onSpawn);

    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'retl-sync-'));
      const credentials = await backend.setUp();
      receiver = await startReceiver();
      mkdirSync(path.join(dir, 'models'));
      writeFileSync(path.join(dir, 'models', 'customers.sql'), 'SELECT id, email, plan, score FROM public.customers\n');
      writeFileSync(path.join(dir, 'models', 'broken.sql'), `${backend.broken.sql}\n`);
      writeFileSync(path.join(dir, 'models', 'retyped.sql'), 'SELECT id, id AS n FROM public.customers\n');
      writeFileSync(path.join(dir, 'models', 'dups.sql'), "SELECT id, email FROM public.customers WHERE id <= 10\nUNION ALL SELECT 3, 'again@example.com'\nUNION ALL SELECT NULL, 'nobody@example.com'\n");
      const [id, email, plan] = [col('id'), col('email'), col('plan')];
      const crm = backend.destination
        ? `  - id: crm\n    type: postgres\n    credentials: crm_db\n    table: public.crm\n    batchSize: 250\n`
        : '';
      const toCrm = backend.destination ? `  - id: to_crm\n    model: customers\n    destination: crm\n    mode: mirror\n    mapping: { ${id}: customer_id, ${email}: email, ${plan}: tier }\n` : '';
      writeFileSync(
        path.join(dir, 'retl.yaml'),
        `version: 1
credentials:
${credentials}models:
  - id: customers
    name: Customers
    credentials: wh
    query: models/customers.sql
    primaryKey: ${id}
  - id: dups
    name: Dups
    credentials: wh
    query: models/dups.sql
    primaryKey: ${id}
  - id: broken
    name: Broken
    credentials: wh
    query: models/broken.sql
    primaryKey: ${id}
  - id: retyped
    name: Retyped
    credentials: wh
    query: models/retyped.sql
    primaryKey: ${id}
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
${crm}connections:
  - id: to_hook
    model: customers
    destination: hook
    mode: mirror
    mapping: { ${id}: id, ${email}: email, ${plan}: plan }
${toCrm}  - id: to_rs
    model: customers
    destination: rs
    mode: upsert
    event: { type: identify, userIdColumn: ${id} }
    mapping: { ${id}: id, ${email}: email, ${plan}: plan }
  - id: bad_map
    model: customers
    destination: hook
    mapping: { ${id}: id, emial: email }
  - id: dups_hook
    model: dups
    destination: hook
  - id: all_hook
    model: customers
    destination: hook
    mode: upsert
  - id: broken_hook
    model: broken
    destination: hook
  - id: retyped_hook
    model: retyped
    destination: hook
  - id: hourly_hook
    model: customers
    destination: hook
    mapping: { ${id}: id }
    schedule: 1h
  - id: resting_hook
    model: customers
    destination: hook
    mapping: { ${id}: id }
    schedule: "*/5 * * * *"
    timeZone: Europe/Berlin
    paused: true
`,
      );
      const store = new ConfigStore(path.join(dir, 'retl.yaml'));
      const loaded = await store.load();
      assert.deepEqual(loaded.problems, []);
      for (const [k, v] of Object.entries(backend.env)) process.env[k] = v;
      engine = new Engine(store, NO_STORED_SECRETS, path.join(dir, '.retl', 'demo'));
    });

    afterEach(async () => {
      await engine?.dispose();
      await receiver?.close();
      await backend.tearDown();
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
      await q(`UPDATE public.customers SET plan = 'enterprise', score = score + 1 WHERE id BETWEEN 101 AND 110 AND plan <> 'enterprise'`);
      const updated = n(await q(`SELECT count(*) AS n FROM public.customers WHERE id BETWEEN 101 AND 110 AND score <> id % 97`));
      await q('UPDATE public.customers SET score = score + 1000 WHERE id = 200'); // an unmapped column: no change downstream
      await q('DELETE FROM public.customers WHERE id BETWEEN 501 AND 505');
      await backend.insertCustomers(ROWS + 1, 7);
      const before = receiver.requests.length;
      const r = await sync('to_hook');
      assert.deepEqual([r.added, r.changed, r.removed, r.failed], [7, updated, 5, 0]);
      const items = hookItems(before);
      assert.deepEqual(items.filter((i) => i.op === 'delete').map((i) => i.key).sort(), ['501', '502', '503', '504', '505']);
      assert.deepEqual(items.filter((i) => i.op === 'upsert').length, 7 + updated);
      assert.ok(!items.some((i) => i.key === '200'));
    });

    it('a plan shows, row by row, what the next run then sends (upsert, mirror, full), and moves nothing', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET plan = 'plan-' || id WHERE id BETWEEN 101 AND 104`);
      await q('DELETE FROM public.customers WHERE id BETWEEN 501 AND 503');
      await backend.insertCustomers(ROWS + 1, 2);
      const plan = (id: string, full = false) => planConnection(engine, id, { signal: new AbortController().signal, full, limit: 50 });
      const mirror = await plan('to_hook');
      assert.deepEqual(mirror.counts, { insert: 2, update: 4, delete: 3, unchanged: ROWS - 7, invalid: 0 });
      assert.equal(mirror.snapshotRows, ROWS);
      assert.equal(mirror.deletePercent, Math.round((3 / ROWS) * 10_000) / 100);
      const update = mirror.samples.update.find((u) => u.key === '101')!;
      assert.deepEqual([update.fields, update.changed], [{ id: 101, email: 'user101@example.com', plan: 'plan-101' }, ['plan']]);
      assert.equal(receiver.requests.length, Math.ceil(ROWS / 100), 'nothing was sent');
      assert.deepEqual(await plan('to_hook'), mirror, 'and the snapshot did not move');
      const before = receiver.requests.length;
      const r = await sync('to_hook');
      assert.deepEqual([r.added, r.changed, r.removed], [mirror.counts.insert, mirror.counts.update, mirror.counts.delete]);
      const sent = hookItems(before);
      const keysOf = (op: string) => sent.filter((i) => i.op === op).map((i) => i.key).sort();
      assert.deepEqual(keysOf('delete'), mirror.samples.delete.map((d) => d.key).sort());
      assert.deepEqual(keysOf('upsert'), [...mirror.samples.insert, ...mirror.samples.update].map((x) => x.key).sort());
      for (const x of [...mirror.samples.insert, ...mirror.samples.update]) assert.deepEqual(sent.find((i) => i.key === x.key)?.fields, x.fields);
      // Upsert mode never deletes; a full plan sends every row.
      await q('DELETE FROM public.customers WHERE id = 600');
      assert.deepEqual((await plan('to_rs')).counts.delete, 0);
      const full = await plan('to_hook', true);
      assert.deepEqual([full.counts.insert + full.counts.update, full.counts.delete, full.counts.unchanged], [ROWS - 2, 1, 0]);
    });

    it('retl plan --fail-on-delete-over trips when the model lost most of its rows; an empty snapshot never trips', async () => {
      const empty = await cli(['plan', 'to_hook', '--fail-on-delete-over', '10', '--json']);
      assert.equal(empty.code, 0, empty.stderr);
      assert.equal((JSON.parse(empty.stdout) as { snapshotRows: number }).snapshotRows, 0);
      await firstRun();
      await q('DELETE FROM public.customers WHERE id > 100');
      const tripped = await cli(['plan', 'to_hook', '--fail-on-delete-over', '10', '--limit', '2', '--json']);
      assert.equal(tripped.code, 1, tripped.stderr);
      const report = JSON.parse(tripped.stdout) as { counts: { delete: number }; deletePercent: number; samples: { delete: unknown[] } };
      assert.deepEqual([report.counts.delete, report.samples.delete.length], [ROWS - 100, 2]);
      assert.match(tripped.stderr, /would delete 91\.67% of the synced rows \(more than 10%\)/);
      assert.equal((await cli(['plan', 'to_hook', '--fail-on-delete-over', '95'])).code, 0);
      assert.equal((await cli(['plan', 'to_hook', '--limit', 'x'])).code, 2);
    });

    it('the model\'s columns in another order are no change: nothing is sent again', async () => {
      assert.equal((await sync('all_hook')).added, ROWS);
      writeFileSync(path.join(dir, 'models', 'customers.sql'), 'SELECT score, plan, email, id FROM public.customers\n');
      const again = await sync('all_hook');
      assert.deepEqual([again.added, again.changed, again.removed], [0, 0, 0]);
    });

    it('a column whose type changes (a number becomes text) sends its rows again, as the new values', async () => {
      assert.equal((await sync('retyped_hook')).added, ROWS);
      writeFileSync(path.join(dir, 'models', 'retyped.sql'), `SELECT id, CAST(id AS VARCHAR) AS n FROM public.customers\n`);
      const before = receiver.requests.length;
      assert.equal((await sync('retyped_hook')).changed, ROWS, 'the same text, another type: every row goes again');
      const item = hookItems(before).find((i) => i.key === '7')!;
      assert.ok(Object.values(item.fields).includes('7'), JSON.stringify(item.fields));
    });

    it('a value set to NULL is sent as null (the field is kept, not dropped)', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET plan = NULL WHERE id = 9`);
      const before = receiver.requests.length;
      const r = await sync('to_hook');
      assert.equal(r.changed, 1);
      assert.deepEqual(hookItems(before), [{ op: 'upsert', key: '9', fields: { id: 9, email: 'user9@example.com', plan: null } }]);
    });

    it('batches in flight at once, one answered 500 in the middle: after a rerun every row delivered once, the snapshot what was acknowledged', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET email = 'x' || email WHERE id <= 950`);
      const failed = new Set<number>();
      let inFlight = 0;
      let most = 0;
      receiver.answer = (_r, index) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => inFlight--, 30);
        // The third batch of the run fails; the others answer after a moment, so several are open at once.
        if (failed.size === 0 && index === before + 2) {
          failed.add(index);
          return { status: 500, body: { error: 'down' }, delayMs: 30 };
        }
        return { status: 200, delayMs: 30 };
      };
      const before = receiver.requests.length;
      const r1 = await sync('to_hook');
      assert.match(r1.error ?? '', /kept failing: HTTP 500/);
      assert.ok(most > 1, `batches went one at a time (${most})`);
      // Batches already in flight when the third failed were still acknowledged.
      assert.ok(r1.changed > 200, `changed ${r1.changed}`);
      assert.equal(r1.changed + r1.unsent, 950);
      receiver.answer = () => ({ status: 200 });
      const r2 = await sync('to_hook');
      assert.equal(r2.error, undefined);
      assert.equal(r1.changed + r2.changed, 950, 'the rerun sends only what was not acknowledged');
      const delivered = receiver.requests
        .slice(before)
        .filter((r, i) => r.path === '/hook' && !failed.has(before + i))
        .flatMap((r) => (r.body as { batch: HookItem[] }).batch.map((item) => item.key));
      assert.equal(delivered.length, 950, 'every row delivered once');
      assert.equal(new Set(delivered).size, 950);
      assert.equal((await sync('to_hook')).changed, 0, 'the snapshot holds what the receiver acknowledged');
    });

    it('a 429 with Retry-After is waited out as asked, then the batch goes again', async () => {
      // When each batch (by its first key) arrived; the first one is answered 429.
      const at = new Map<string, number[]>();
      receiver.answer = (r, index) => {
        const first = (r.body as { batch: HookItem[] }).batch[0]!.key;
        at.set(first, [...(at.get(first) ?? []), Date.now()]);
        return index === 0 ? { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '1' } } : { status: 200 };
      };
      const r = await sync('to_hook', { retryDelaysMs: [10] });
      assert.equal(r.error, undefined);
      assert.equal(r.added, ROWS);
      const [sent, again] = [...at.values()].find((times) => times.length > 1) ?? [];
      assert.ok(sent !== undefined && again !== undefined && again - sent >= 950, `retried after ${again! - sent!} ms, not the 1 s asked`);
    });

    for (const [what, legacyHash] of backend.legacyHashes ?? []) {
      it(`a snapshot an earlier version wrote (${what}) is no change: nothing is sent again after an upgrade`, async () => {
        await firstRun();
        const snap = backend.stateTable('snap_to_hook');
        await q(`UPDATE ${snap} s SET hash = ${legacyHash} FROM public.customers c WHERE s.key = c.id::text`);
        assert.equal((await q(`SELECT count(*)::int AS n FROM ${snap} WHERE hash NOT LIKE 'r%'`))[0]!.n, ROWS);
        assert.equal((await sync('to_hook')).changed, 0);
        await q(`UPDATE public.customers SET plan = 'legacy' WHERE id <= 3`);
        assert.equal((await sync('to_hook')).changed, 3, 'a change is still seen');
        assert.equal((await sync('to_hook')).changed, 0, 'and acknowledged with the new hash');
        assert.equal((await q(`SELECT count(*)::int AS n FROM ${snap} WHERE hash LIKE 'r%'`))[0]!.n, 3);
      });
    }

    it('rows the receiver rejects are recorded with the reason and sent again on the next run', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET email = 'r' || email WHERE id IN (11, 12, 13, 14)`);
      receiver.answer = (r: Received) => {
        const keys = (r.body as { batch: HookItem[] }).batch.map((i) => i.key);
        return { status: 200, body: { rejected: keys.filter((k) => k === '12' || k === '13').map((key) => ({ key, reason: `bad email for ${key}` })) } };
      };
      const r1 = await sync('to_hook');
      assert.equal(r1.failed, 2);
      assert.equal(r1.changed, 2);
      const recorded = await q(`SELECT key, reason, attempts FROM ${backend.stateTable('fail_to_hook')} ORDER BY key`);
      assert.deepEqual(recorded.map((r) => ({ ...r, attempts: Number(r.attempts) })), [
        { key: '12', reason: 'bad email for 12', attempts: 1 },
        { key: '13', reason: 'bad email for 13', attempts: 1 },
      ]);
      receiver.answer = () => ({ status: 200 });
      const before = receiver.requests.length;
      const r2 = await sync('to_hook');
      assert.equal(r2.failed, 0);
      assert.deepEqual(hookItems(before).map((i) => i.key).sort(), ['12', '13']);
      assert.equal(n(await q(`SELECT count(*) AS n FROM ${backend.stateTable('fail_to_hook')}`)), 0);
    });

    it('retl failures lists the refused rows; --failed-only sends only them and clears them; retl history has each run\'s counts', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET email = 'f' || email WHERE id IN (21, 22, 23)`);
      receiver.answer = (r: Received) => {
        const keys = (r.body as { batch: HookItem[] }).batch.map((i) => i.key);
        return { status: 200, body: { rejected: keys.filter((k) => k === '22' || k === '23').map((key) => ({ key, reason: `no such contact ${key}` })) } };
      };
      const refused = await sync('to_hook');
      assert.deepEqual([refused.changed, refused.failed, refused.unchanged], [1, 2, ROWS - 3]);
      receiver.answer = () => ({ status: 200 });
      await q(`UPDATE public.customers SET email = 'x' || email WHERE id = 30`); // a change a retry leaves for the next run
      const listed = await cli(['failures', 'to_hook', '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      const failures = (JSON.parse(listed.stdout) as FailedRowRecord[]).sort((a, b) => a.key.localeCompare(b.key));
      assert.deepEqual(failures.map(({ key, op, reason, attempts }) => ({ key, op, reason, attempts })), [
        { key: '22', op: 'update', reason: 'no such contact 22', attempts: 1 },
        { key: '23', op: 'update', reason: 'no such contact 23', attempts: 1 },
      ]);
      assert.ok(failures.every((f) => Math.abs(Date.parse(f.lastAt) - Date.now()) < 120_000), failures[0]!.lastAt);
      const before = receiver.requests.length;
      const retried = await cli(['sync', 'to_hook', '--failed-only', '--json']);
      assert.equal(retried.code, 0, retried.stderr);
      const out = JSON.parse(retried.stdout) as SyncResult;
      assert.deepEqual([out.changed, out.failed, out.failedOnly], [2, 0, true]);
      assert.deepEqual(hookItems(before).map((i) => i.key).sort(), ['22', '23']);
      assert.deepEqual(JSON.parse((await cli(['failures', 'to_hook', '--json'])).stdout), [], 'acknowledged: no longer failed');
      const next = receiver.requests.length;
      assert.equal((await sync('to_hook')).changed, 1);
      assert.deepEqual(hookItems(next).map((i) => i.key), ['30']);
      const history = await cli(['history', 'to_hook', '--json', '--limit', '4']);
      assert.equal(history.code, 0, history.stderr);
      type Entry = SyncRunRecord & { durationMs: number | null; rowsPerSecond: number | null };
      const runs = JSON.parse(history.stdout) as Entry[];
      assert.deepEqual(
        runs.map((r) => [r.added, r.changed, r.failed, r.skipped]),
        [
          [0, 1, 0, ROWS - 1],
          [0, 2, 0, ROWS - 2],
          [0, 1, 2, ROWS - 3],
          [ROWS, 0, 0, 0],
        ],
      );
      assert.ok(runs.every((r) => r.durationMs !== null && r.durationMs >= 0 && typeof r.rowsPerSecond === 'number'));
      assert.deepEqual(await cli(['failures', 'to_hook', '--full']).then((r) => r.code), 2, 'a flag failures does not take');
      assert.equal((await cli(['sync', 'to_hook', '--full', '--failed-only'])).code, 2);
    });

    it('a run cancelled half way loses no row: the next run sends the rest', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET email = 'c' || email WHERE id <= 500`);
      const controller = new AbortController();
      let batches = 0;
      const before = receiver.requests.length;
      const r1 = await sync('to_hook', { signal: controller.signal, onProgress: () => ++batches === 2 && controller.abort() });
      assert.equal(r1.error, 'Cancelled.');
      // Two acknowledged, and the batches in flight then either answered or stopped.
      assert.ok(r1.changed >= 200 && r1.changed < 500, `changed ${r1.changed}`);
      const r2 = await sync('to_hook');
      assert.equal(r1.changed + r2.changed, 500, 'the next run sends what was not acknowledged');
      const delivered = new Set(hookItems(before).map((i) => i.key));
      assert.equal(delivered.size, 500);
    });

    it('two runs of one connection at once: the second is refused while the first runs', async () => {
      let first = true;
      receiver.answer = () => (first ? ((first = false), { status: 200, delayMs: 1_500 }) : { status: 200 });
      const running = sync('to_hook');
      let ended = false;
      void running.finally(() => (ended = true)).catch(() => undefined);
      while (receiver.requests.length === 0 && !ended) await new Promise((r) => setTimeout(r, 20));
      assert.equal(ended, false, 'the first run is still delivering');
      await assert.rejects(sync('to_hook'), (err: Error) => err instanceof SyncError && /"to_hook" is already syncing/.test(err.message));
      assert.equal((await running).added, ROWS);
      assert.equal((await sync('to_hook')).added, 0, 'the lock is free again once the run ended');
    });

    it('full sync sends every row again (as updates of the rows the destination has)', async () => {
      await firstRun();
      const count = n(await q('SELECT count(*) AS n FROM public.customers'));
      await q(`UPDATE public.customers SET plan = 'changed before the full run' WHERE id IN (3, 4)`);
      const r = await sync('to_hook', { full: true });
      assert.deepEqual([r.added, r.changed, r.removed, r.full], [0, count, 0, true]);
      const [run] = await q(`SELECT full_sync, changed FROM ${backend.stateTable('runs')} WHERE connection = 'to_hook' ORDER BY id DESC LIMIT 1`);
      assert.deepEqual([run?.full_sync, Number(run?.changed)], [true, count]);
      // The snapshot holds what the full run sent: the rows changed before it are not sent again.
      assert.equal((await sync('to_hook')).changed, 0);
      await q(`UPDATE public.customers SET plan = 'changed after' WHERE id = 5`);
      const before = receiver.requests.length;
      assert.equal((await sync('to_hook')).changed, 1);
      assert.deepEqual(hookItems(before).map((i) => i.key), ['5']);
    });

    it('a full mirror sync still deletes the rows that left the model', async () => {
      await firstRun();
      await q('DELETE FROM public.customers WHERE id IN (40, 41)');
      const before = receiver.requests.length;
      const r = await sync('to_hook', { full: true });
      assert.deepEqual([r.changed, r.removed], [ROWS - 2, 2]);
      assert.deepEqual(hookItems(before).filter((i) => i.op === 'delete').map((i) => i.key).sort(), ['40', '41']);
    });

    it('retl sync killed with SIGKILL half way loses no row: the next run delivers the rest (--json, exit codes)', async () => {
      await firstRun();
      await q(`UPDATE public.customers SET email = 'k' || email WHERE id <= 400`);
      const args = ['sync', 'to_hook', '--json'];
      const before = receiver.requests.length;
      let child: ChildProcess | undefined;
      // The second batch arrives, and the process dies before it hears the answer.
      receiver.answer = (_r, i) => {
        if (i === before + 1) child?.kill('SIGKILL');
        return { status: 200 };
      };
      const killed = await cli(args, (c) => (child = c));
      assert.equal(killed.code, null, 'killed by the signal');
      receiver.answer = () => ({ status: 200 });
      const again = await cli(args);
      assert.equal(again.code, 0, again.stderr);
      const out = JSON.parse(again.stdout) as SyncResult;
      assert.deepEqual(Object.keys(out).sort(), ['added', 'changed', 'connection', 'durationMs', 'failed', 'invalid', 'removed', 'run', 'unchanged', 'unsent']);
      // Acknowledged before the kill: at most the first batch if a step is one batch (batches go out
      // several at a time, so its answer may not have been heard), nothing if a step is more.
      const acknowledged = backend.batchesPerStep === 1 ? 100 : 0;
      assert.ok(out.changed >= 400 - acknowledged && out.changed <= 400, `changed ${out.changed}: the batches in flight and the rest (and any delivered but not acknowledged) go again`);
      assert.equal(new Set(hookItems(before).map((i) => i.key)).size, 400);
      const refused = await cli(['sync', 'bad_map', '--json']);
      assert.equal(refused.code, 3);
      assert.match(JSON.parse(refused.stderr).message, /maps "emial"/);
    });

    it('retl schedule --once runs the connections that are due, and not again within their interval; a paused one is skipped', async () => {
      const args = ['schedule', '--once', '--json'];
      const first = await cli(args);
      assert.equal(first.code, 0, first.stderr);
      type Line = SyncResult & { skipped?: string; nextRun?: string };
      const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
      assert.deepEqual(lines.map((l) => [l.connection, l.skipped]), [['hourly_hook', undefined], ['resting_hook', 'paused']], 'only the scheduled connection runs');
      assert.ok(lines[0]!.added > 1000);
      const ranAt = Date.parse(lines[0]!.nextRun!) - 3_600_000;
      assert.ok(Math.abs(ranAt - Date.now()) < 60_000, `next run an hour after this one: ${lines[0]!.nextRun}`);
      const second = await cli(args);
      assert.equal(second.code, 0, second.stderr);
      const again = second.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
      assert.deepEqual(again.map((l) => [l.connection, l.skipped]), [['hourly_hook', 'not due'], ['resting_hook', 'paused']], 'an hourly connection that ran a moment ago is not due');
      // Counted from the start the history holds (the warehouse's clock), within moments of the first answer's.
      assert.ok(Math.abs(Date.parse(again[0]!.nextRun!) - Date.parse(lines[0]!.nextRun!)) < 5_000, again[0]!.nextRun);
      // Asked for by hand, a paused connection runs, and says it is paused.
      const byHand = await cli(['sync', 'resting_hook', '--json']);
      assert.equal(byHand.code, 0, byHand.stderr);
      assert.equal((JSON.parse(byHand.stdout) as SyncResult).paused, true);
      assert.match(byHand.stderr, /resting_hook is paused/);
    });

    it('a model that fails in the warehouse sends nothing, and the run history says why', async () => {
      const before = receiver.requests.length;
      await assert.rejects(sync('broken_hook'), backend.broken.error);
      assert.equal(receiver.requests.length, before);
      const runs = await q(`SELECT finished_at IS NOT NULL AS finished, error FROM ${backend.stateTable('runs')} WHERE connection = 'broken_hook'`);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.finished, true);
      assert.match(runs[0]!.error as string, backend.broken.error);
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
      const recorded = await q(`SELECT key, op, reason FROM ${backend.stateTable('fail_dups_hook')}`);
      assert.deepEqual(recorded, [{ key: '3', op: 'invalid', reason: "primary key occurs 2 times in the model's result" }]);
    });

    it('RudderStack gets identify events in /v1/batch with the write key, userId and traits', async () => {
      const before = receiver.requests.length;
      const r = await sync('to_rs');
      assert.ok(r.added > 1000);
      const request = receiver.requests[before]!;
      assert.equal(request.path, '/rs/v1/batch');
      assert.equal(request.headers.authorization, `Basic ${Buffer.from('wk:').toString('base64')}`);
      const events = receiver.requests.slice(before).flatMap((x) => (x.body as { batch: Record<string, unknown>[] }).batch);
      assert.equal(events.length, r.added);
      const event = events.find((e) => e.userId === '7')!;
      assert.equal(event.type, 'identify');
      assert.deepEqual(Object.keys(event.traits as object).sort(), ['email', 'plan']);
      assert.match(String(event.messageId), /^retl-to_rs-7-([0-9a-f]{32}|r-?[0-9]+)$/);
    });

    if (backend.destination) {
      const dest = backend.destination;
      it('a PostgreSQL table destination gets upserts and deletes on the key, typed, and refuses only the bad rows', async () => {
        const r1 = await sync('to_crm');
        const count = n(await q('SELECT count(*) AS n FROM public.customers'));
        assert.equal(r1.added, count);
        assert.equal(n(await dest.query(`SELECT count(*)::int AS n FROM public.crm`)), count);
        assert.deepEqual(await dest.query('SELECT customer_id, email, tier FROM public.crm WHERE customer_id = 7'), [
          { customer_id: 7, email: (await q('SELECT email FROM public.customers WHERE id = 7'))[0]!.email, tier: 'team' },
        ]);
        await q(`UPDATE public.customers SET plan = 'banned' WHERE id = 20`);
        await q(`UPDATE public.customers SET plan = 'team' WHERE id = 21`);
        await q('DELETE FROM public.customers WHERE id = 22');
        const r2 = await sync('to_crm');
        assert.deepEqual([r2.changed, r2.removed, r2.failed], [1, 1, 1]);
        const [failed] = await q(`SELECT reason FROM ${backend.stateTable('fail_to_crm')} WHERE key = '20'`);
        assert.match(failed!.reason as string, /check constraint/);
        assert.deepEqual(await dest.query('SELECT customer_id, tier FROM public.crm WHERE customer_id IN (20, 21, 22) ORDER BY 1'), [
          { customer_id: 20, tier: 'enterprise' }, // the refused update left the row as it was
          { customer_id: 21, tier: 'team' },
        ]);
      });
    }
  });
}
