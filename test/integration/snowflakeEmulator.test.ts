// The Snowflake adapter against the Snowflake EMULATOR (fakesnow: Snowflake SQL on DuckDB, behind
// scripts/snowflakeEmulator/emulator.py), through the real snowflake-sdk. It proves what the protocol fake
// cannot: our SQL as Snowflake SQL, and the driver's own reading of real answers. Differences from Snowflake
// we do not depend on: a connection without a schema has no current schema (Snowflake uses PUBLIC), so
// models name it; HASH() values, EXPLAIN and enforced primary keys differ or are missing.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { SnowflakeCredentials } from '../../protocol/src/config';
import type { PreviewPage, PreviewResult } from '../../protocol/src/preview';
import { PreviewService } from '../../server/src/preview/previewService';
import { verifyCredentials } from '../../server/src/verify/verifyCredentials';
import { loadSnowflakeSdk } from '../../server/src/warehouse/snowflake/loadSnowflakeSdk';
import { SnowflakeWarehouse } from '../../server/src/warehouse/snowflake/snowflakeWarehouse';
import { REPO } from '../helpers/cli';
import { readAllText } from '../helpers/readAllText';

type Emulator = { url: string; stop(): Promise<void> };

function page(r: PreviewResult): PreviewPage {
  if (!r.ok) throw new Error(`preview failed: ${r.error.kind}: ${r.error.message}`);
  return r.page;
}

const never = () => new AbortController().signal;

describe('Snowflake adapter against the Snowflake emulator (fakesnow), real snowflake-sdk', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  let creds: SnowflakeCredentials;
  let warehouse: SnowflakeWarehouse;
  let previews: PreviewService;

  /** Runs the test's own set-up SQL through the driver, as an administrator would. */
  async function admin(statements: string[]): Promise<void> {
    const sdk = await loadSnowflakeSdk();
    const conn = sdk.createConnection({ account: 'emulator', username: 'ADMIN', password: 'x', accessUrl: emulator.url });
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    try {
      for (const sqlText of statements) {
        await new Promise<void>((resolve, reject) => conn.execute({ sqlText, complete: (err) => (err ? reject(err) : resolve()) }));
      }
    } finally {
      await new Promise<void>((resolve) => conn.destroy(() => resolve()));
    }
  }

  before(async () => {
    const url = path.join(REPO, 'scripts', 'snowflakeEmulator.mjs');
    const { startSnowflakeEmulator } = (await import(url)) as { startSnowflakeEmulator(): Promise<Emulator> };
    emulator = await startSnowflakeEmulator();
    await admin([
      'CREATE DATABASE IF NOT EXISTS ANALYTICS',
      'CREATE SCHEMA IF NOT EXISTS ANALYTICS.PUBLIC',
      'CREATE SCHEMA IF NOT EXISTS ANALYTICS._RETL',
      `CREATE OR REPLACE TABLE ANALYTICS.PUBLIC.ACCOUNTS (ID NUMBER(38,0), MRR NUMBER(12,2), NAME VARCHAR, SCORE FLOAT, PROPS VARIANT, ACTIVE BOOLEAN)`,
      `INSERT INTO ANALYTICS.PUBLIC.ACCOUNTS SELECT 1, 12.34, 'Acme', 1.5, PARSE_JSON('{"plan":"team","seats":[1,2]}'), TRUE`,
      `INSERT INTO ANALYTICS.PUBLIC.ACCOUNTS VALUES (9007199254740993, -0.01, 'NULL', NULL, NULL, FALSE), (3, NULL, NULL, NULL, NULL, NULL)`,
      `INSERT INTO ANALYTICS.PUBLIC.ACCOUNTS SELECT 100 + SEQ4(), 1, 'bulk', 0, NULL, TRUE FROM TABLE(GENERATOR(ROWCOUNT => 120))`,
    ]);
    creds = { id: 'sf', type: 'snowflake', account: 'emulator', user: 'RETL', warehouse: 'RETL_WH', database: 'ANALYTICS', accessUrl: emulator.url };
    warehouse = new SnowflakeWarehouse(creds, 'any-password');
    previews = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
  });

  after(async () => {
    await previews?.closeAll();
    await warehouse?.close();
    await emulator?.stop();
  });

  it('passes the three checks and reads the catalog', async () => {
    const out = await verifyCredentials('sf', warehouse, '_retl', () => undefined, never());
    assert.deepEqual(out.result.checks.map((c) => c.status), ['passed', 'passed', 'passed'], JSON.stringify(out.result.checks));
    const accounts = out.catalog?.schemas.find((s) => s.name === 'PUBLIC')?.tables.find((t) => t.name === 'ACCOUNTS');
    assert.ok(accounts, JSON.stringify(out.catalog?.schemas.map((s) => [s.name, s.tables.map((t) => t.name)])));
    assert.deepEqual(accounts.columns.map((c) => c.name), ['ID', 'MRR', 'NAME', 'SCORE', 'PROPS', 'ACTIVE']);
  });

  it('previews exact values: NUMBER as exact text, NULL apart from the text "NULL", VARIANT as JSON; page 2 from the full result', async () => {
    const first = page(await previews.open({ warehouse, dialect: 'snowflake', sql: 'SELECT ID, MRR, NAME, SCORE, PROPS, ACTIVE FROM PUBLIC.ACCOUNTS ORDER BY ID', primaryKey: 'ID' }, never()));
    assert.deepEqual(first.columns.map((c) => c.type), ['NUMBER(38,0)', 'NUMBER(12,2)', 'VARCHAR', 'REAL', 'VARIANT', 'BOOLEAN']);
    const byId = new Map(first.rows.map((r) => [r[0], r]));
    // FLOAT is fetched as the warehouse's text too (the driver's Number category).
    assert.deepEqual(byId.get('1'), ['1', '12.34', 'Acme', '1.5', '{"plan":"team","seats":[1,2]}', true]);
    // A NULL NUMBER, REAL or VARIANT is NULL, and the text "NULL" stays text (the driver's default turned
    // NULLs fetched as strings into "NULL").
    assert.deepEqual(byId.get('3'), ['3', null, null, null, null, null]);
    assert.equal(first.hasMore, true);
    const second = page(await previews.page(first.sessionId, 2, never()));
    assert.equal(second.rows.length, 50, '123 rows: page 2 is full');
    assert.equal(second.hasMore, true);
    const third = page(await previews.page(first.sessionId, 3, never()));
    assert.equal(third.hasMore, false);
    assert.deepEqual(third.rows.at(-1), ['9007199254740993', '-0.01', 'NULL', null, null, false], 'a key above 2^53 stays exact');
    assert.deepEqual([...first.rows, ...second.rows, ...third.rows].map((r) => r[0]), ['1', '3', ...Array.from({ length: 120 }, (_, i) => String(100 + i)), '9007199254740993']);
    assert.deepEqual(first.keys.duplicates, []);
  });

  it('previews dates and timestamps as ISO 8601 the way PostgreSQL previews do: the day, the wall clock, the offset', async () => {
    const sql = `SELECT '2026-11-24'::DATE AS D, '1969-07-20'::DATE AS OLD_DAY, '2026-11-24 21:00:00.5'::TIMESTAMP_NTZ AS NTZ,
      '2026-11-24 21:00:00'::TIMESTAMP_NTZ AS WHOLE, '2026-11-24 21:00:00.123+00:00'::TIMESTAMP_TZ AS TZ`;
    const p = page(await previews.open({ warehouse, dialect: 'snowflake', sql }, never()));
    assert.deepEqual(p.columns.map((c) => c.type), ['DATE', 'DATE', 'TIMESTAMP_NTZ', 'TIMESTAMP_NTZ', 'TIMESTAMP_TZ']);
    // The emulator keeps TIMESTAMP_TZ in UTC only (fakesnow); an offset of its own is tested against the
    // protocol fake (snowflake.test.ts).
    assert.deepEqual(p.rows[0], ['2026-11-24', '1969-07-20', '2026-11-24T21:00:00.5', '2026-11-24T21:00:00', '2026-11-24T21:00:00.123+00:00']);
  });

  it('previews TIME as the time of day and FLOAT as the number Snowflake gave', async () => {
    const sql = `SELECT '10:11:12.5'::TIME AS T, '23:59:59'::TIME AS WHOLE_SECOND, 1.5::FLOAT AS F, -0.125::FLOAT AS NEG`;
    const p = page(await previews.open({ warehouse, dialect: 'snowflake', sql }, never()));
    assert.deepEqual(p.columns.map((c) => c.type), ['TIME', 'TIME', 'REAL', 'REAL']);
    assert.deepEqual(p.rows[0], ['10:11:12.5', '23:59:59', '1.5', '-0.125']);
  });

  it('exports the whole result from one statement: CSV with NULL apart from "" and from the text "NULL", JSON Lines with exact NUMBER text', async () => {
    const statement = 'SELECT ID, MRR, NAME, SCORE, PROPS, ACTIVE FROM PUBLIC.ACCOUNTS ORDER BY ID';
    const read = (format: 'csv' | 'jsonl', signal = never(), onBatch?: () => void, sql = statement) => readAllText(warehouse, sql, format, signal, onBatch);
    const lines = (await read('jsonl')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 123);
    const byId = new Map(lines.map((l) => [l.ID, l]));
    assert.deepEqual(byId.get('9007199254740993'), { ID: '9007199254740993', MRR: '-0.01', NAME: 'NULL', SCORE: null, PROPS: null, ACTIVE: false });
    assert.deepEqual(byId.get('3'), { ID: '3', MRR: null, NAME: null, SCORE: null, PROPS: null, ACTIVE: null });
    assert.equal(byId.get('1')!.SCORE, 1.5, 'FLOAT is a JSON number');
    const props = byId.get('1')!.PROPS as string;
    assert.deepEqual(JSON.parse(props), { plan: 'team', seats: [1, 2] }, 'VARIANT as its JSON text');
    const csv = await read('csv');
    assert.ok(csv.startsWith(`ID,MRR,NAME,SCORE,PROPS,ACTIVE\n1,12.34,Acme,1.5,"${props.replace(/"/g, '""')}",true\n3,,,,,\n100,1.00,bulk,0.0,,true\n`), csv.slice(0, 300));
    assert.ok(csv.endsWith('\n9007199254740993,-0.01,NULL,,,false\n'), 'the text "NULL" is a value; NULL is an empty field');
    // Cancel after the first batch of several: it stops with "cancelled", not a partial success.
    const controller = new AbortController();
    const many = 'SELECT SEQ4() AS N FROM TABLE(GENERATOR(ROWCOUNT => 20000))';
    assert.equal((await read('csv', never(), undefined, many)).split('\n').length, 20002);
    const stopped = await read('csv', controller.signal, () => controller.abort(), many).then(() => 'finished', (err: { kind?: string }) => err.kind);
    assert.equal(stopped, 'cancelled');
  });
});
