// The sync scenarios (syncScenarios.ts) with a Snowflake warehouse: the Snowflake EMULATOR (fakesnow,
// Snowflake SQL on DuckDB) through the real snowflake-sdk, each test in a database of its own. Then what
// only Snowflake's dialect has: the lock row, taken over when stale and refused while its holder lives.
// DuckDB enforces primary keys and Snowflake does not; the lock never relies on one.
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'snowflake-sdk';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { syncConnection } from '../../server/src/sync/syncConnection';
import { LOCK_STALE_SECONDS, SNOWFLAKE_BATCHES_PER_STEP } from '../../server/src/sync/snowflakeSyncDialect';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { loadSnowflakeSdk } from '../../server/src/warehouse/snowflake/loadSnowflakeSdk';
import { REPO } from '../helpers/cli';
import { startReceiver, type HttpReceiver } from '../helpers/httpReceiver';
import { useTempDir } from '../helpers/tempDir';
import { ROWS, syncScenarios } from './syncScenarios';

type Emulator = { url: string; stop(): Promise<void> };
let emulator: Emulator | undefined;
let admin: Connection | undefined;
let database = '';

async function startEmulator(): Promise<Emulator> {
  const { startSnowflakeEmulator } = (await import(path.join(REPO, 'scripts', 'snowflakeEmulator.mjs'))) as { startSnowflakeEmulator(): Promise<Emulator> };
  return (emulator ??= await startSnowflakeEmulator());
}

after(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function connect(url: string, db?: string): Promise<Connection> {
  const sdk = await loadSnowflakeSdk();
  const conn = sdk.createConnection({ account: 'emulator', username: 'ADMIN', password: 'x', accessUrl: url, ...(db ? { database: db } : {}), representNullAsStringNull: false });
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  return conn;
}

function run(conn: Connection, sqlText: string, binds?: unknown[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) =>
    conn.execute({ sqlText, ...(binds ? { binds: binds as never } : {}), fetchAsString: ['Number'], complete: (err, _s, rows) => (err ? reject(err) : resolve((rows ?? []) as Record<string, unknown>[])) }),
  );
}

const lowerKeys = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));

/** A database with PUBLIC.CUSTOMERS (ROWS rows, as the PostgreSQL suite's) and the state schema _RETL. */
async function freshDatabase(): Promise<string> {
  const url = (await startEmulator()).url;
  database = `SYNC_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  const setup = await connect(url);
  for (const sql of [`CREATE DATABASE ${database}`, `CREATE SCHEMA ${database}.PUBLIC`, `CREATE SCHEMA ${database}._RETL`]) await run(setup, sql);
  await new Promise<void>((resolve) => setup.destroy(() => resolve()));
  admin = await connect(url, database);
  await run(
    admin,
    `CREATE TABLE PUBLIC.CUSTOMERS AS
     SELECT I AS ID, 'user' || I || '@example.com' AS EMAIL, CASE MOD(I, 3) WHEN 0 THEN 'free' WHEN 1 THEN 'team' ELSE 'enterprise' END AS PLAN, MOD(I, 97) AS SCORE
     FROM (SELECT SEQ4() + 1 AS I FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS})))`,
  );
  return `  - id: wh\n    type: snowflake\n    account: emulator\n    user: RETL\n    warehouse: RETL_WH\n    database: ${database}\n    accessUrl: ${url}\n    passwordEnv: RETL_SF_PW\n`;
}

async function closeAdmin(): Promise<void> {
  const conn = admin;
  admin = undefined;
  if (conn) await new Promise<void>((resolve) => conn.destroy(() => resolve()));
}

syncScenarios({
  title: 'Snowflake warehouse (the Snowflake emulator, real snowflake-sdk), local HTTP receiver',
  setUp: freshDatabase,
  tearDown: closeAdmin,
  query: async (sql) => lowerKeys(await run(admin!, sql)),
  insertCustomers: async (from, count) => {
    await run(admin!, `INSERT INTO PUBLIC.CUSTOMERS SELECT I, 'new' || I || '@example.com', 'free', 0 FROM (SELECT SEQ4() + ? AS I FROM TABLE(GENERATOR(ROWCOUNT => ${count})))`, [from]);
  },
  col: (name) => name.toUpperCase(),
  stateTable: (name) => `_RETL.${name.toUpperCase()}`,
  // DuckDB answers 100 / 0 with NULL where Snowflake fails; a text that is no number fails on both.
  broken: { sql: 'SELECT id, TO_NUMBER(email) AS n FROM public.customers', error: /convert|not recognized|numeric/i },
  batchesPerStep: SNOWFLAKE_BATCHES_PER_STEP,
  env: { RETL_SF_PW: 'any-password' },
});

describe('Snowflake sync lock (a row in _RETL.LOCKS, on the Snowflake emulator)', function () {
  this.timeout(180_000);
  let engine: Engine;
  let receiver: HttpReceiver;
  const dir = useTempDir('retl-sflock-');

  beforeEach(async () => {
    const credentials = await freshDatabase();
    receiver = await startReceiver();
    mkdirSync(path.join(dir(), 'models'));
    writeFileSync(path.join(dir(), 'models', 'customers.sql'), 'SELECT id, email FROM public.customers\n');
    writeFileSync(
      path.join(dir(), 'retl.yaml'),
      `version: 1\ncredentials:\n${credentials}models:\n  - id: customers\n    name: Customers\n    credentials: wh\n    query: models/customers.sql\n    primaryKey: ID\ndestinations:\n  - id: hook\n    type: webhook\n    url: ${receiver.url}/hook\nconnections:\n  - id: to_hook\n    model: customers\n    destination: hook\n  - id: odd_field\n    model: customers\n    destination: hook\n    mapping: { ID: id, EMAIL: "it\\\\', 1) AS X --" }\n`,
    );
    const store = new ConfigStore(path.join(dir(), 'retl.yaml'));
    assert.deepEqual((await store.load()).problems, []);
    process.env.RETL_SF_PW = 'any-password';
    engine = new Engine(store, NO_STORED_SECRETS, path.join(dir(), '.retl', 'demo'));
  });

  afterEach(async () => {
    await engine.dispose();
    await receiver.close();
    await closeAdmin();
  });

  const sync = (id = 'to_hook', signal = new AbortController().signal) => syncConnection(engine, id, { signal, retryDelaysMs: [] });

  it('a field name with a backslash and a quote is a field name, never SQL', async () => {
    assert.equal((await sync('odd_field')).added, ROWS);
    const items = receiver.requests.flatMap((r) => (r.body as { batch: { key: string; fields: Record<string, unknown> }[] }).batch);
    assert.deepEqual(items.find((i) => i.key === '7')?.fields, { id: 7, "it\\', 1) AS X --": 'user7@example.com' });
  });

  it('a run cancelled while the warehouse computes frees the lock and finishes its history', async () => {
    const controller = new AbortController();
    const running = sync('to_hook', controller.signal);
    // Once the lock is taken (the run's own row holds it), cancel: the compute is what runs then.
    for (let i = 0; i < 500; i++) {
      const rows = await run(admin!, `SELECT HOLDER FROM _RETL.LOCKS`).catch(() => []);
      if (rows.some((r) => r.HOLDER)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    controller.abort();
    const outcome = await running.then((r) => r.error, (err: Error) => err.message);
    assert.match(String(outcome), /Cancelled/);
    assert.deepEqual(await run(admin!, `SELECT HOLDER FROM _RETL.LOCKS`), [{ HOLDER: null }], 'the lock is free');
    const runs = await run(admin!, `SELECT FINISHED_AT IS NOT NULL AS FINISHED, ERROR FROM _RETL.RUNS`);
    assert.deepEqual(runs.map((r) => r.FINISHED), [true]);
    assert.equal((await sync()).added, ROWS, 'the next run sends every row');
  });

  it('is refused while another live holder has a fresh heartbeat, and taken over once the heartbeat is stale', async () => {
    assert.equal((await sync()).added, ROWS);
    const locks = await run(admin!, `SELECT CONNECTION, HOLDER FROM _RETL.LOCKS`);
    assert.deepEqual(locks, [{ CONNECTION: 'to_hook', HOLDER: null }], 'one pre-created row, freed at the end of the run');
    // A run on another machine holds it.
    await run(admin!, `UPDATE _RETL.LOCKS SET HOLDER = 'elsewhere:1:abcd', HEARTBEAT = SYSDATE() WHERE CONNECTION = 'to_hook'`);
    await assert.rejects(sync(), /"to_hook" is already syncing/);
    await run(admin!, `UPDATE _RETL.LOCKS SET HEARTBEAT = DATEADD(second, -${LOCK_STALE_SECONDS + 60}, SYSDATE()) WHERE CONNECTION = 'to_hook'`);
    const r = await sync();
    assert.equal(r.error, undefined);
    assert.deepEqual(await run(admin!, `SELECT HOLDER FROM _RETL.LOCKS`), [{ HOLDER: null }]);
  });

  it('a holder on this machine whose process is gone is taken over at once; a live one is not', async () => {
    await run(admin!, `CREATE TABLE _RETL.LOCKS (CONNECTION VARCHAR NOT NULL, HOLDER VARCHAR, HEARTBEAT TIMESTAMP_NTZ)`);
    const host = hostname();
    await run(admin!, `INSERT INTO _RETL.LOCKS SELECT 'to_hook', ?, SYSDATE()`, [`${host}:${process.pid}:live`]);
    await assert.rejects(sync(), /already syncing/, 'this test process is alive');
    await run(admin!, `UPDATE _RETL.LOCKS SET HOLDER = ?`, [`${host}:999999:dead`]);
    assert.equal((await sync()).added, ROWS);
  });
});
