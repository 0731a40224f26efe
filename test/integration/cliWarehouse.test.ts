// `retl verify` and `retl preview` as a user runs them: the built CLI bundle as a child process, against
// the real PostgreSQL server and the Snowflake protocol fake, with passwords from named env variables.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { retl, retlAsync } from '../helpers/cli';
import { useTempDir } from '../helpers/tempDir';
import { SnowflakeProtocolFake } from '../fakes/snowflakeProtocolFake';
import { pgFixture, type PgFixture } from './pgFixture';

describe('retl verify / preview (CLI bundle, real PostgreSQL, Snowflake protocol fake)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('retl-cli-wh-');
  let fx: PgFixture;
  let fake: SnowflakeProtocolFake;

  before(async () => {
    fx = await pgFixture();
    fake = new SnowflakeProtocolFake({ RETL: 'sf-secret' }, (sql) =>
      sql === 'SELECT CURRENT_ROLE() AS ROLE'
        ? { columns: [{ name: 'ROLE', type: 'text' }], rows: [['RETL_ROLE']] }
        : sql.startsWith('SHOW GRANTS TO ROLE')
          ? { columns: ['privilege', 'granted_on', 'name'].map((name) => ({ name, type: 'text' })), rows: [['SELECT', 'TABLE', 'ANALYTICS.PUBLIC.ORDERS']] }
          : sql.includes('HUGE_TABLE')
            ? { hold: true }
            : { error: { code: '002003', message: 'SQL compilation error: not scripted', sqlState: '42S02' } },
    );
    await fake.start();
  });
  after(() => fake.stop());

  function workspace(): void {
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      `version: 1
credentials:
  - id: pg
    type: postgres
    host: ${fx.server.host}
    port: ${fx.server.port}
    database: ${fx.database}
    user: ${fx.reader.user}
    passwordEnv: RETL_IT_PG_PASSWORD
    ssl: disable
  - id: sf
    type: snowflake
    account: xy12345
    user: RETL
    passwordEnv: RETL_IT_SF_PASSWORD
    accessUrl: ${fake.url}
models:
  - id: big
    name: Big
    credentials: pg
    query: big.sql
    primaryKey: id
  - id: wrong
    name: Wrong
    credentials: pg
    query: wrong.sql
  - id: slow
    name: Slow
    credentials: pg
    query: slow.sql
  - id: sfslow
    name: Snowflake slow
    credentials: sf
    query: sfslow.sql
`,
    );
    writeFileSync(path.join(tmp(), 'big.sql'), 'SELECT id, amount FROM public.big ORDER BY id\n');
    writeFileSync(path.join(tmp(), 'wrong.sql'), 'DELETE FROM public.big\n');
    writeFileSync(path.join(tmp(), 'slow.sql'), 'SELECT pg_sleep(1000) AS id\n');
    writeFileSync(path.join(tmp(), 'sfslow.sql'), 'SELECT id FROM HUGE_TABLE\n');
  }

  it('verify --json passes with the password from the env variable, exit 0', () => {
    workspace();
    const r = retl(['verify', 'pg', '--json'], tmp(), { RETL_IT_PG_PASSWORD: fx.reader.password });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { credentials: string; checks: { id: string; status: string; ms: number }[] };
    assert.equal(out.credentials, 'pg');
    assert.deepEqual(out.checks.map((c) => [c.id, c.status]), [['connection', 'passed'], ['listSchemas', 'passed'], ['stateSchema', 'passed']]);
    assert.deepEqual(Object.keys(out.checks[0]!).sort(), ['id', 'message', 'ms', 'remediation', 'status', 'warning']);
  });

  it('verify exits 1 on a wrong password and never prints it', () => {
    workspace();
    const r = retl(['verify', 'pg', '--json'], tmp(), { RETL_IT_PG_PASSWORD: 'not-the-password-123' });
    assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { checks: { status: string; message: string }[] };
    assert.deepEqual(out.checks.map((c) => c.status), ['failed', 'skipped', 'skipped']);
    assert.ok(!(r.stdout + r.stderr).includes('not-the-password-123'));
    const missing = retl(['verify', 'pg', '--json'], tmp(), { RETL_IT_PG_PASSWORD: '' });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /RETL_IT_PG_PASSWORD/);
  });

  it('verify reaches Snowflake through the separately bundled driver', async () => {
    workspace();
    const ok = await retlAsync(['verify', 'sf', '--json'], tmp(), { RETL_IT_SF_PASSWORD: 'sf-secret' });
    const out = JSON.parse(ok.stdout) as { checks: { id: string; status: string; message: string }[] };
    assert.equal(out.checks[0]!.status, 'passed', ok.stderr + ok.stdout);
    const bad = await retlAsync(['verify', 'sf', '--json'], tmp(), { RETL_IT_SF_PASSWORD: 'nope' });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Incorrect username or password/);
  });

  it('preview --page 2 --json prints rows 51-100 in the documented shape', () => {
    workspace();
    const r = retl(['preview', 'big', '--page', '2', '--json'], tmp(), { RETL_IT_PG_PASSWORD: fx.reader.password });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & { rows: unknown[][] };
    assert.deepEqual(Object.keys(out).sort(), ['columns', 'duplicateKeys', 'hasMore', 'model', 'page', 'pageSize', 'rows']);
    assert.equal(out.page, 2);
    assert.equal(out.pageSize, 50);
    assert.deepEqual(out.columns, [{ name: 'id', type: 'integer' }, { name: 'amount', type: 'numeric(12,2)' }]);
    assert.deepEqual(out.rows[0], [51, '0.51']);
    assert.equal(out.rows.length, 50);
    assert.equal(out.hasMore, true);
  });

  it('preview refuses a DELETE with exit 3 and points at its line', () => {
    workspace();
    const r = retl(['preview', 'wrong', '--json'], tmp(), { RETL_IT_PG_PASSWORD: fx.reader.password });
    assert.equal(r.code, 3);
    const err = JSON.parse(r.stderr) as { error: string; message: string; line: number };
    assert.equal(err.error, 'refused');
    assert.equal(err.line, 1);
  });

  it('preview --timeout stops a slow query on PostgreSQL and on Snowflake: exit 1, the message names the timeout', async () => {
    workspace();
    const pg = await retlAsync(['preview', 'slow', '--timeout', '2'], tmp(), { RETL_IT_PG_PASSWORD: fx.reader.password });
    assert.equal(pg.code, 1, pg.stderr + pg.stdout);
    assert.match(pg.stderr, /timed out after 2 s \(the preview timeout\)/);
    const abortsBefore = fake.aborts;
    const sf = await retlAsync(['preview', 'sfslow', '--timeout', '1.5', '--json'], tmp(), { RETL_IT_SF_PASSWORD: 'sf-secret' });
    assert.equal(sf.code, 1, sf.stderr + sf.stdout);
    // The last line: Node may print a warning of the driver's before it.
    const err = JSON.parse(sf.stderr.trim().split('\n').at(-1)!) as { error: string; message: string };
    assert.equal(err.error, 'timeout');
    assert.match(err.message, /timed out after 1\.5 s/);
    assert.ok(fake.aborts > abortsBefore, 'the driver asked Snowflake to abort the query');
    const bad = retl(['preview', 'slow', '--timeout', '0'], tmp());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--timeout takes a number of seconds above 0/);
  });
});
