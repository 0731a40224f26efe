// Snowflake adapter against a PROTOCOL FAKE of Snowflake's HTTP API (test/fakes): this checks how we
// drive snowflake-sdk, not Snowflake's SQL.
import { strict as assert } from 'node:assert';
import type { SnowflakeCredentials } from '../../protocol/src/config';
import type { PreviewPage, PreviewResult } from '../../protocol/src/preview';
import { PreviewService } from '../../server/src/preview/previewService';
import { analyzeSql } from '../../server/src/sql/analyzeSql';
import { verifyCredentials } from '../../server/src/verify/verifyCredentials';
import { quoteSnowflakeName, SnowflakeWarehouse } from '../../server/src/warehouse/snowflake/snowflakeWarehouse';
import { SnowflakeProtocolFake, type FakeAnswer } from '../fakes/snowflakeProtocolFake';

const never = () => new AbortController().signal;

const ORDERS = 'SELECT ORDER_ID, AMOUNT FROM ANALYTICS.PUBLIC.ORDERS ORDER BY ORDER_ID';
const ORDER_ROWS = Array.from({ length: 120 }, (_, i) => [String(i + 1), `${i + 1}.1234567890`]);
const EXACT = '12345678901234567890.1234567890';

/** SHOW GRANTS TO ROLE "RETL_ROLE": privilege, granted_on, name. Read-only on the data by default. */
let roleGrants: string[][] = [];
const READ_ONLY_GRANTS = [
  ['USAGE', 'WAREHOUSE', 'RETL_WH'],
  ['USAGE', 'DATABASE', 'ANALYTICS'],
  ['USAGE', 'SCHEMA', 'ANALYTICS.PUBLIC'],
  ['SELECT', 'TABLE', 'ANALYTICS.PUBLIC.ORDERS'],
  ['OWNERSHIP', 'SCHEMA', 'ANALYTICS._RETL'],
  ['CREATE TABLE', 'SCHEMA', 'ANALYTICS._RETL'],
  ['INSERT', 'TABLE', 'ANALYTICS._RETL.SNAP_TO_HOOK'],
];

const HIDDEN: string[][] = [];
/** Grants of the roles RETL_ROLE inherits (and PUBLIC, which every role does). */
let otherRoles: Record<string, string[][]> = {};

/** The scripted warehouse: what the fake answers to each statement the adapter sends. */
function answer(sql: string): FakeAnswer {
  if (sql === 'SELECT CURRENT_ROLE() AS ROLE') return { columns: [{ name: 'ROLE', type: 'text' }], rows: [['RETL_ROLE']] };
  if (sql === 'SHOW GRANTS TO ROLE "RETL_ROLE"' && roleGrants === HIDDEN) {
    return { error: { code: '003001', message: "SQL access control error:\nInsufficient privileges to operate on role 'RETL_ROLE'", sqlState: '42501' } };
  }
  const grantsTo = /^SHOW GRANTS TO ROLE "(.*)"$/.exec(sql)?.[1];
  if (grantsTo !== undefined) {
    const rows = grantsTo === 'RETL_ROLE' ? roleGrants : (otherRoles[grantsTo] ?? []);
    return { columns: ['privilege', 'granted_on', 'name'].map((name) => ({ name, type: 'text' })), rows };
  }
  const orderColumns = [{ name: 'ORDER_ID', type: 'fixed', precision: 38, scale: 0 }, { name: 'AMOUNT', type: 'fixed', precision: 38, scale: 10 }];
  if (sql === 'SELECT 1') return { columns: [{ name: '1', type: 'fixed', precision: 1, scale: 0 }], rows: [['1']] };
  if (sql === 'SHOW STREAMS IN DATABASE') return { columns: ['name', 'schema_name'].map((name) => ({ name, type: 'text' })), rows: [['ORDERS_STREAM', 'PUBLIC']] };
  if (sql.includes('INFORMATION_SCHEMA.SCHEMATA')) return { columns: [{ name: 'SCHEMA_NAME', type: 'text' }], rows: [['PUBLIC'], ['_RETL']] };
  if (sql.includes('INFORMATION_SCHEMA.COLUMNS')) {
    const cols = ['TABLE_SCHEMA', 'TABLE_NAME', 'TABLE_TYPE', 'COMMENT', 'ROW_COUNT', 'COLUMN_NAME', 'DATA_TYPE', 'IS_NULLABLE'];
    return {
      columns: cols.map((name) => ({ name, type: name === 'ROW_COUNT' ? 'fixed' : 'text' })),
      rows: [
        ['PUBLIC', 'ORDERS', 'BASE TABLE', 'all orders', '120', 'ORDER_ID', 'NUMBER', 'NO'],
        ['PUBLIC', 'ORDERS', 'BASE TABLE', 'all orders', '120', 'AMOUNT', 'NUMBER', 'YES'],
      ],
    };
  }
  if (/^CREATE TABLE "_RETL"\./.test(sql) || /^DROP TABLE "_RETL"\./.test(sql)) return { columns: [{ name: 'status', type: 'text' }], rows: [['ok']] };
  if (/^CREATE TABLE "NOPE"\./.test(sql)) {
    return { error: { code: '002003', message: "SQL compilation error:\nSchema 'DB.NOPE' does not exist or not authorized.", sqlState: '02000' } };
  }
  if (sql.includes(ORDERS)) {
    // The adapter wraps page 1 as a LIMIT subquery; the full statement runs only for page 2.
    const limit = /\) AS q LIMIT (\d+)$/.exec(sql);
    return { columns: orderColumns, rows: limit ? ORDER_ROWS.slice(0, Number(limit[1])) : ORDER_ROWS };
  }
  if (sql.includes('EXACT_VALUE')) return { columns: [{ name: 'EXACT_VALUE', type: 'fixed', precision: 38, scale: 10 }, { name: 'NOTE', type: 'text' }], rows: [[EXACT, null], ['0.0000000001', '']] };
  if (sql.includes('SLOW')) return { hold: true };
  if (sql === 'SHOW EXTERNAL FUNCTIONS IN ACCOUNT') return { columns: [{ name: 'name', type: 'text' }, { name: 'schema_name', type: 'text' }], rows: [['SEND_TO_SLACK', 'PUBLIC'], ['Quoted_Hook', 'PUBLIC']] };
  // TIMESTAMP_TZ in the JSON format: seconds with the fraction, then the offset in minutes plus 1440.
  if (sql.includes('OFFSET_TS')) return { columns: [{ name: 'OFFSET_TS', type: 'timestamp_tz', scale: 3 }], rows: [['1795554000.250 1500'], ['1795554000.000 1110']] };
  if (sql.includes('FORM')) {
    return { error: { code: '001003', message: "SQL compilation error:\nsyntax error line 3 at position 0 unexpected 'FORM'.", sqlState: '42000' } };
  }
  return { error: { code: '002003', message: `SQL compilation error: unknown statement in fake: ${sql.slice(0, 40)}`, sqlState: '42S02' } };
}

function page(r: PreviewResult): PreviewPage {
  if (!r.ok) throw new Error(`preview failed: ${r.error.kind}: ${r.error.message}`);
  return r.page;
}

describe('Snowflake adapter against a protocol fake of its HTTP API', function () {
  this.timeout(60_000);
  let fake: SnowflakeProtocolFake;
  let creds: SnowflakeCredentials;
  const warehouses: SnowflakeWarehouse[] = [];
  const warehouse = (password: string, extra: Partial<SnowflakeCredentials> = {}) => {
    const w = new SnowflakeWarehouse({ ...creds, ...extra }, password);
    warehouses.push(w);
    return w;
  };
  let previews: PreviewService;

  before(async () => {
    fake = new SnowflakeProtocolFake({ RETL: 'sf-secret' }, answer);
    const url = await fake.start();
    creds = { id: 'sf', type: 'snowflake', account: 'xy12345', user: 'RETL', role: 'RETL_ROLE', warehouse: 'RETL_WH', database: 'ANALYTICS', accessUrl: url };
    previews = new PreviewService({ timeoutMs: 30_000, idleMs: 600_000 });
  });
  after(async () => {
    await previews.closeAll();
    await Promise.all(warehouses.map((w) => w.close()));
    await fake.stop();
  });

  it('passes the three checks and reads the catalog', async () => {
    const out = await verifyCredentials('sf', warehouse('sf-secret'), '_retl', () => undefined, never());
    assert.deepEqual(out.result.checks.map((c) => c.status), ['passed', 'passed', 'passed'], JSON.stringify(out.result.checks));
    const orders = out.catalog?.schemas.find((s) => s.name === 'PUBLIC')?.tables[0];
    assert.equal(orders?.name, 'ORDERS');
    assert.deepEqual(orders?.columns.map((c) => c.name), ['ORDER_ID', 'AMOUNT']);
    assert.equal(orders?.rowEstimate, 120);
    // A stream (not in INFORMATION_SCHEMA.TABLES) is in the catalog, so a model on it is no unknown table,
    // and its columns, not listed, are not judged.
    const stream = out.catalog?.schemas.find((s) => s.name === 'PUBLIC')?.tables.find((t) => t.name === 'ORDERS_STREAM');
    assert.deepEqual([stream?.comment, stream?.columns], ['stream', []]);
    const d = await analyzeSql('SELECT s.ORDER_ID, s.METADATA$ACTION FROM PUBLIC.ORDERS_STREAM s', { dialect: 'snowflake', catalog: out.catalog! });
    assert.deepEqual(d, []);
  });

  it('warns about a role that can change data outside the state schema, with the SQL of a reader role', async () => {
    roleGrants = READ_ONLY_GRANTS;
    const clean = await verifyCredentials('sf', warehouse('sf-secret'), '_retl', () => undefined, never());
    const connection = clean.result.checks.find((c) => c.id === 'connection')!;
    assert.equal(connection.warning, undefined, 'SELECT on the data and everything on the state schema is what we ask for');
    roleGrants = [...READ_ONLY_GRANTS, ['INSERT', 'TABLE', 'ANALYTICS.PUBLIC.ORDERS'], ['OWNERSHIP', 'SCHEMA', 'ANALYTICS.PUBLIC']];
    const risky = await verifyCredentials('sf', warehouse('sf-secret'), '_retl', () => undefined, never());
    const check = risky.result.checks.find((c) => c.id === 'connection')!;
    assert.equal(check.status, 'passed');
    assert.match(check.warning ?? '', /^Role "RETL_ROLE" can change data outside the state schema: INSERT on table ANALYTICS\.PUBLIC\.ORDERS, OWNERSHIP on schema ANALYTICS\.PUBLIC\./);
    assert.match(check.remediation ?? '', /^CREATE ROLE IF NOT EXISTS "RETL_ROLE_READER";$/m);
    assert.match(check.remediation ?? '', /^GRANT ALL PRIVILEGES ON SCHEMA "ANALYTICS"\."_RETL" TO ROLE "RETL_ROLE_READER";$/m);
    // Grants it may not read: still connected, and told what could not be checked.
    roleGrants = HIDDEN;
    const hidden = (await verifyCredentials('sf', warehouse('sf-secret'), '_retl', () => undefined, never())).result.checks.find((c) => c.id === 'connection')!;
    assert.equal(hidden.status, 'passed');
    assert.match(hidden.warning ?? '', /grants of role "RETL_ROLE" could not be read \(.*Insufficient privileges/s);
    roleGrants = [];
  });

  it('reads the grants of inherited roles and PUBLIC, and counts what only looks read-only or lies in another database', async () => {
    const warningFor = async () => (await verifyCredentials('sf', warehouse('sf-secret'), '_retl', () => undefined, never())).result.checks.find((c) => c.id === 'connection')!.warning ?? '';
    roleGrants = [...READ_ONLY_GRANTS, ['USAGE', 'ROLE', 'ANALYST'], ['USAGE', 'ROLE', '"loader"']];
    otherRoles = { ANALYST: [['SELECT', 'TABLE', 'ANALYTICS.PUBLIC.USERS'], ['USAGE', 'ROLE', 'RETL_ROLE']], loader: [['INSERT', 'TABLE', 'ANALYTICS.PUBLIC.USERS']] };
    assert.match(await warningFor(), /INSERT on table ANALYTICS\.PUBLIC\.USERS \(through role loader\)/, 'a quoted role name is read as itself');
    otherRoles = { PUBLIC: [['DELETE', 'TABLE', 'ANALYTICS.PUBLIC.ORDERS']] };
    roleGrants = READ_ONLY_GRANTS;
    assert.match(await warningFor(), /DELETE on table ANALYTICS\.PUBLIC\.ORDERS \(through role PUBLIC\)/);
    otherRoles = {};
    for (const [grant, why] of [
      [['OPERATE', 'TASK', 'ANALYTICS.PUBLIC.NIGHTLY_LOAD'], 'a task that writes'],
      [['USAGE', 'PROCEDURE', 'ANALYTICS.PUBLIC.PURGE()'], 'TABLE(proc()) runs its DML'],
      [['OWNERSHIP', 'SCHEMA', 'OTHERDB._RETL'], 'another database'],
      [['OWNERSHIP', 'SCHEMA', 'ANALYTICS."_retl"'], 'a quoted lower-case schema is another one'],
      [['INSERT', 'TABLE', 'ANALYTICS."_RETL.X".T'], 'a dot inside a quoted name'],
    ] as const) {
      roleGrants = [...READ_ONLY_GRANTS, [...grant]];
      assert.match(await warningFor(), new RegExp(`can change data outside the state schema: ${grant[0]} on`), why);
    }
    roleGrants = [];
  });

  it('fails the connection check on a wrong password with the login error', async () => {
    const out = await verifyCredentials('sf', warehouse('wrong'), '_retl', () => undefined, never());
    const conn = out.result.checks[0]!;
    assert.equal(conn.status, 'failed');
    assert.equal(conn.kind, 'auth');
    assert.match(conn.message!, /Incorrect username or password/);
    assert.deepEqual(out.result.checks.slice(1).map((c) => c.status), ['skipped', 'skipped']);
  });

  it('explains a state schema it cannot write to, with the GRANT for the role', async () => {
    const out = await verifyCredentials('sf', warehouse('sf-secret'), 'nope', () => undefined, never());
    const state = out.result.checks[2]!;
    assert.equal(state.status, 'failed');
    assert.equal(state.kind, 'stateSchema');
    assert.match(state.remediation!, /GRANT ALL PRIVILEGES ON SCHEMA "ANALYTICS"\."NOPE" TO ROLE "RETL_ROLE";/);
  });

  it('quotes every name in the remediation SQL as Snowflake resolves what retl.yaml says', async () => {
    // The fake signs in RETL only; the user's name is quoted by the same function (asserted below).
    const odd = { role: 'analyst-role', database: 'analytics', warehouse: 'wh"x' };
    const out = await verifyCredentials('sf', warehouse('sf-secret', odd), 'nope', () => undefined, never());
    const sql = out.result.checks[2]!.remediation!;
    assert.equal(sql, 'CREATE SCHEMA IF NOT EXISTS "ANALYTICS"."NOPE";\nGRANT ALL PRIVILEGES ON SCHEMA "ANALYTICS"."NOPE" TO ROLE "analyst-role";');
    assert.equal(quoteSnowflakeName('wh"x'), '"wh""x"');
    assert.equal(quoteSnowflakeName('jane.doe@example.com'), '"jane.doe@example.com"');
    assert.equal(quoteSnowflakeName('retl_user'), '"RETL_USER"');
  });

  it('pages 50 rows at a time, running the full query only when page 2 is asked for', async () => {
    const w = warehouse('sf-secret');
    const before = fake.queries.length;
    const first = page(await previews.open({ warehouse: w, dialect: 'snowflake', sql: `${ORDERS};` }, never()));
    assert.equal(first.rows.length, 50);
    assert.equal(first.hasMore, true);
    assert.deepEqual(first.columns, [{ name: 'ORDER_ID', type: 'NUMBER(38,0)' }, { name: 'AMOUNT', type: 'NUMBER(38,10)' }]);
    assert.deepEqual(first.rows[0], ['1', '1.1234567890']);
    // Besides the session's own first statement (USE SECONDARY ROLES NONE), only the LIMIT query ran.
    assert.equal(fake.queries[before], 'USE SECONDARY ROLES NONE', 'a session acts with the role of retl.yaml only');
    const sent = fake.queries.slice(before).filter((q) => q !== 'USE SECONDARY ROLES NONE');
    assert.ok(sent.length > 0 && sent.every((q) => q.endsWith('LIMIT 51')), `only the LIMIT query ran: ${sent.join(' | ')}`);
    const second = page(await previews.page(first.sessionId, 2, never()));
    assert.deepEqual(second.rows.map((r) => r[0]), ORDER_ROWS.slice(50, 100).map((r) => r[0]));
    assert.equal(fake.queries[fake.queries.length - 1], ORDERS, 'page 2 ran the statement itself');
    const third = page(await previews.page(first.sessionId, 3, never()));
    assert.equal(third.rows.length, 20);
    assert.equal(third.hasMore, false);
    assert.equal(fake.queries.filter((q) => q === ORDERS).length, 1, 'page 3 streamed from the same result');
  });

  it('keeps NUMBER(38,10) exact and NULL apart from the empty string', async () => {
    const p = page(await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql: 'SELECT EXACT_VALUE, NOTE FROM T' }, never()));
    assert.deepEqual(p.rows, [[EXACT, null], ['0.0000000001', '']]);
    assert.equal(p.columns[0]!.type, 'NUMBER(38,10)');
  });

  it('previews a TIMESTAMP_TZ with its own offset (which the emulator cannot hold)', async () => {
    const p = page(await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql: 'SELECT OFFSET_TS FROM T' }, never()));
    assert.deepEqual(p.rows, [['2026-11-24T22:00:00.25+01:00'], ['2026-11-24T15:30:00-05:30']]);
  });

  it('maps a compile error to the line and column of the model', async () => {
    const sql = '-- orders\nSELECT ORDER_ID\nFORM ORDERS';
    const r = await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql }, never());
    assert.ok(!r.ok);
    assert.match(r.error.message, /syntax error line 3 at position 0/);
    assert.deepEqual(r.error.position, { line: 3, column: 1 });
    assert.equal(r.error.code, '001003');
  });

  it('cancels a running query through the driver', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const r = await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql: 'SELECT * FROM SLOW' }, controller.signal);
    assert.equal(!r.ok && r.error.kind, 'cancelled', JSON.stringify(r));
    assert.ok(Date.now() - started < 5_000);
    assert.ok(fake.aborts >= 1, 'the driver sent an abort request');
  });

  it('refuses writes before they reach Snowflake', async () => {
    const before = fake.queries.length;
    for (const sql of ['DELETE FROM ORDERS', 'SELECT 1; SELECT 2', 'CREATE TABLE X AS SELECT 1', 'WITH a AS (SELECT 1) INSERT INTO T SELECT * FROM a']) {
      const r = await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql }, never());
      assert.equal(!r.ok && r.error.kind, 'refused', sql);
    }
    assert.equal(fake.queries.length, before, 'nothing was sent');
  });

  it('refuses SYSTEM$ functions before anything is sent, however the call is spelled', async () => {
    const before = fake.queries.length;
    for (const sql of ["SELECT SYSTEM$CANCEL_ALL_QUERIES(1)", 'SELECT system$abort_session /* x */ (1)', 'SELECT "SYSTEM$WAIT" // a comment\n(5)', 'SELECT a.SYSTEM$SEND_EMAIL(1) FROM ORDERS a', "SELECT IDENTIFIER('system$wait')(1)", 'SELECT "system$wait"(1)', "SELECT IDENTIFIER('SYSTEM\\x24WAIT')(1)", "SELECT IDENTIFIER('S\\YSTEM$WAIT')(1)", 'SELECT IDENTIFIER($$SYSTEM$WAIT$$)(1)', 'SELECT IDENTIFIER($fn)(1)']) {
      const r = await previews.open({ warehouse: warehouse('sf-secret'), dialect: 'snowflake', sql }, never());
      assert.equal(!r.ok && r.error.kind, 'refused', sql);
      assert.match(!r.ok ? r.error.message : '', /SYSTEM\$\w+\(\) is not allowed in a model|must be named by a plain literal/i, sql);
    }
    assert.equal(fake.queries.length, before, 'nothing was sent');
  });

  it('refuses a model that calls an external function (as SHOW EXTERNAL FUNCTIONS lists them), and runs one that does not', async () => {
    const w = warehouse('sf-secret');
    for (const [sql, name] of [
      ['SELECT send_to_slack(ORDER_ID) FROM ANALYTICS.PUBLIC.ORDERS', 'SEND_TO_SLACK'],
      ['SELECT ANALYTICS.PUBLIC."Quoted_Hook"(1)', 'Quoted_Hook'],
      ["SELECT IDENTIFIER('ANALYTICS.PUBLIC.send_to_slack')(1)", 'SEND_TO_SLACK'],
    ]) {
      const r = await previews.open({ warehouse: w, dialect: 'snowflake', sql: sql! }, never());
      assert.ok(!r.ok, sql);
      assert.match(r.error.message, new RegExp(`^${name}\\(\\) is an external function`), sql);
      assert.ok(!fake.queries.some((q) => q.includes(sql!)), 'the model never ran');
    }
    // Other calls run, and a column named like an external function is no call.
    const fine = await previews.open({ warehouse: w, dialect: 'snowflake', sql: `SELECT ROUND(1) AS send_to_slack, * FROM (${ORDERS})` }, never());
    assert.ok(fine.ok, JSON.stringify(fine));
  });
});
