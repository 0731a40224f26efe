// `retl export` as a user runs it (the built CLI bundle as a child process) against the real PostgreSQL
// server: the file equals COPY's CSV of the same query, NULL and the empty string stay apart through a
// round trip, memory does not grow with the rows, and a cancel or a failure leaves no partial file.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { CLI, REPO, type CliResult } from '../helpers/cli';
import { useTempDir } from '../helpers/tempDir';
import { startEngineProcess } from '../helpers/engineProcess';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { WorkspaceState } from '../../protocol/src/config';
import type { ExportOutcome, ExportProgress } from '../../protocol/src/export';
import { Notifications, Requests } from '../../protocol/src/requests';
import { BIG_ROWS, pgFixture, type PgFixture } from './pgFixture';

const AWKWARD = `SELECT * FROM (VALUES
  (1, NULL::text, 'null'),
  (2, '', 'empty string'),
  (3, 'say "hi", ok', 'quotes and a comma'),
  (4, E'line1\\nline2\\r\\nline3\\rend', 'newlines'),
  (5, 'ünï ✓ 😀 漢字', 'unicode'),
  (6, '\\.', 'end-of-data marker'),
  (7, ' lead and trail ', 'spaces'),
  (8, 'a\\b', 'backslash'),
  (9, E'cr\ralone', 'a bare CR'),
  (10, E'\r', 'only a CR')
) AS v(id, t, "wh\rat")
`;

describe('retl export (CLI bundle, real PostgreSQL)', function () {
  this.timeout(300_000);
  const tmp = useTempDir('retl-export-');
  let fx: PgFixture;
  const env = () => ({ RETL_IT_PG_PASSWORD: fx.reader.password });

  before(async () => {
    fx = await pgFixture();
  });

  const MODELS: Record<string, string> = {
    big: 'SELECT * FROM public.big ORDER BY id\n',
    tenth: `SELECT * FROM public.big WHERE id <= ${BIG_ROWS / 10} ORDER BY id\n`,
    triple: `SELECT i AS id, md5(i::text) AS label, i % 1000 AS bucket, (i * 0.01)::numeric(12,2) AS amount FROM generate_series(1, ${3 * BIG_ROWS}) AS i\n`,
    kinds: 'SELECT * FROM public.kinds\n',
    awkward: AWKWARD,
    lonely: "SELECT t FROM (VALUES ('\\.'), (NULL), (''), ('x')) AS v(t)\n",
    slow: 'SELECT id, label, pg_sleep(0.0002) AS nap FROM public.big ORDER BY id\n',
    breaks: `SELECT id, 1 / (${BIG_ROWS / 2 + 1} - id) AS x FROM public.big ORDER BY id\n`,
    writes: 'DELETE FROM public.big\n',
    empty: 'SELECT id, label FROM public.big WHERE false\n',
  };

  function workspace(): void {
    const models = Object.keys(MODELS).map((id) => `  - id: ${id}\n    name: ${id}\n    credentials: pg\n    query: ${id}.sql\n`);
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      `version: 1\ncredentials:\n  - id: pg\n    type: postgres\n    host: ${fx.server.host}\n    port: ${fx.server.port}\n    database: ${fx.database}\n    user: ${fx.reader.user}\n    passwordEnv: RETL_IT_PG_PASSWORD\n    ssl: disable\nmodels:\n${models.join('')}`,
    );
    for (const [id, sql] of Object.entries(MODELS)) writeFileSync(path.join(tmp(), `${id}.sql`), sql);
  }

  /** The CLI as a child process, with its peak RSS (kB) read from a preloaded exit hook. */
  function exportCli(args: string[], onSpawn?: (child: import('node:child_process').ChildProcess) => void): Promise<CliResult & { maxRssKb: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', path.join(REPO, 'test/helpers/maxRss.js'), CLI, 'export', ...args], { cwd: tmp(), env: { ...process.env, ...env() } });
      onSpawn?.(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        const rss = /retl-max-rss-kb (\d+)/.exec(stderr);
        resolve({ code, stdout, stderr: stderr.replace(/\nretl-max-rss-kb \d+\n/, ''), maxRssKb: rss ? Number(rss[1]) : NaN });
      });
    });
  }

  /** COPY's CSV of `sql` as the reader, with the settings the export's transaction sets. */
  async function copyCsv(sql: string): Promise<string> {
    const c = new pg.Client({ host: fx.server.host, port: fx.server.port, database: fx.database, user: fx.reader.user, password: fx.reader.password });
    await c.connect();
    try {
      await c.query(`BEGIN READ ONLY; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'; SET LOCAL standard_conforming_strings = on`);
      const chunks: Buffer[] = [];
      for await (const chunk of c.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT csv, HEADER)`))) chunks.push(chunk as Buffer);
      await c.query('ROLLBACK');
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      await c.end();
    }
  }

  /** The reader's statements still running on the server, after giving a stopped one a few seconds to end. */
  async function activeQueries(): Promise<string[]> {
    const admin = await fx.server.admin(fx.database);
    try {
      let active: string[] = [];
      for (let i = 0; i < 50; i++) {
        active = (await admin.query<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE usename = $1 AND state = 'active'`, [fx.reader.user])).rows.map((r) => r.query);
        if (active.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return active;
    } finally {
      await admin.end();
    }
  }

  const leftovers = () => readdirSync(tmp()).filter((f) => f.endsWith('.retl-partial'));

  it('writes 1,000,000 rows plus the header, byte for byte what COPY (FORMAT csv, HEADER) writes, with memory flat in the row count', async () => {
    workspace();
    const whole = await exportCli(['big', '--output', 'big.csv']);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /exported 1,000,000 rows of "big" to .*big\.csv \(csv, /);
    const file = readFileSync(path.join(tmp(), 'big.csv'), 'utf8');
    assert.equal(file.split('\n').length - 1, BIG_ROWS + 1);
    const copied = await copyCsv(MODELS.big!.trim());
    assert.ok(file === copied, `the export differs from COPY (lengths ${file.length} vs ${copied.length})`);
    const tenth = await exportCli(['tenth', '--output', 'tenth.csv', '--json']);
    assert.equal(tenth.code, 0, tenth.stderr);
    assert.equal((JSON.parse(tenth.stdout) as { rows: number }).rows, BIG_ROWS / 10);
    const triple = await exportCli(['triple', '--output', 'triple.csv']);
    assert.equal(triple.code, 0, triple.stderr);
    const [small, large, larger] = [tenth, whole, triple].map((r) => r.maxRssKb / 1024) as [number, number, number];
    console.log(`      peak RSS of retl export: ${small.toFixed(1)} MB for 100,000 rows, ${large.toFixed(1)} MB for 1,000,000, ${larger.toFixed(1)} MB for 3,000,000`);
    // From 100k to 1M rows the V8 heap grows to its working size (collections come later on a busy
    // heap); after that memory is flat: three times the rows (a 150 MB file) may not cost more.
    assert.ok(larger - large < 40, `peak RSS grew from ${large.toFixed(1)} MB (1M rows) to ${larger.toFixed(1)} MB (3M rows)`);
  });

  it('keeps NULL apart from the empty string, and quotes, newlines, unicode and \\. intact: COPY reads the file back to the same rows', async () => {
    workspace();
    for (const id of ['awkward', 'lonely', 'kinds']) {
      const r = await exportCli([id, '-o', `${id}.csv`]);
      assert.equal(r.code, 0, r.stderr);
      const file = readFileSync(path.join(tmp(), `${id}.csv`), 'utf8');
      assert.ok(file === (await copyCsv(MODELS[id]!.trim())), `${id}: the export differs from COPY`);
    }
    const csv = readFileSync(path.join(tmp(), 'awkward.csv'), 'utf8');
    assert.match(csv, /^1,,null$/m, 'NULL is an empty unquoted field');
    assert.match(csv, /^2,"",empty string$/m, 'the empty string is ""');
    assert.match(readFileSync(path.join(tmp(), 'lonely.csv'), 'utf8'), /^"\\\."$/m, 'a lone \\. in a one-column file is quoted');
    // Back into PostgreSQL through COPY FROM: the same rows, NULL still NULL and '' still ''.
    const admin = await fx.server.admin(fx.database);
    try {
      const table = `export_back_${Math.random().toString(36).slice(2, 8)}`;
      await admin.query(`CREATE TEMP TABLE ${table} (id int, t text, "wh\rat" text)`);
      await pipeline(Readable.from([readFileSync(path.join(tmp(), 'awkward.csv'))]), admin.query(copyFrom(`COPY ${table} FROM STDIN (FORMAT csv, HEADER)`)));
      const diff = await admin.query(`(SELECT * FROM ${table} EXCEPT ALL ${MODELS.awkward}) UNION ALL (${MODELS.awkward} EXCEPT ALL SELECT * FROM ${table})`);
      assert.deepEqual(diff.rows, []);
      const nulls = await admin.query(`SELECT id FROM ${table} WHERE t IS NULL`);
      assert.deepEqual(nulls.rows, [{ id: 1 }]);
    } finally {
      await admin.end();
    }
  });

  it('--format jsonl: one object per row, exact numbers as strings, timestamps ISO 8601, NULL null, booleans JSON', async () => {
    workspace();
    const r = await exportCli(['kinds', '--format', 'jsonl', '-o', 'kinds.out']);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(path.join(tmp(), 'kinds.out'), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, 4);
    const first = rows[0]!;
    assert.deepEqual(Object.keys(first), ['id', 'label', 'exact', 'huge', 'at', 'day', 'doc', 'flag', 'blob']);
    assert.equal(first.id, 1);
    assert.equal(first.label, null);
    assert.equal(first.exact, '12345678901234567890.1234567890');
    assert.equal(first.huge, '9007199254740993');
    assert.match(first.at as string, /^2026-11-2\dT\d{2}:\d{2}:00\.5[+-]\d{2}:\d{2}$/);
    assert.equal(Date.parse(first.at as string), Date.parse('2026-11-24T21:00:00.5Z'));
    assert.equal(first.day, '2026-11-24');
    assert.equal(first.doc, '{"a": [1, 2]}');
    assert.equal(first.flag, true);
    assert.equal((first.blob as string).length, 10 * 1024 * 1024);
    assert.equal(rows[1]!.label, '');
    assert.equal(rows[1]!.flag, false);
    assert.equal(rows[3]!.id, null);
    const stdout = await exportCli(['empty', '--format', 'jsonl']);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.equal(stdout.stdout, '', 'no rows, no lines');
    const emptyCsv = await exportCli(['empty']);
    assert.equal(emptyCsv.stdout, 'id,label\n', 'no rows: the header alone');
  });

  it('Ctrl-C half way stops the query on the server, exits 1 and leaves the older file as it was, with no partial file', async () => {
    workspace();
    const target = path.join(tmp(), 'slow.csv');
    writeFileSync(target, 'an older export\n');
    let child: import('node:child_process').ChildProcess | undefined;
    const run = exportCli(['slow', '-o', 'slow.csv'], (c) => (child = c));
    // Wait until rows are being written to the temporary file, then press Ctrl-C.
    for (let i = 0; i < 600; i++) {
      const partial = leftovers()[0];
      if (partial && statSync(path.join(tmp(), partial)).size > 10_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(leftovers().length, 1, 'the rows go to a temporary file first');
    child!.kill('SIGINT');
    const r = await run;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Cancelled\. \(after [\d,]+ rows\) Nothing was written to the output file\./);
    assert.equal(readFileSync(target, 'utf8'), 'an older export\n');
    assert.deepEqual(leftovers(), []);
    assert.deepEqual(await activeQueries(), [], 'the cursor was cancelled on the server');
  });

  it('a query that fails half way exits 1 with the server error and writes no file; a write is refused with exit 3', async () => {
    workspace();
    const broke = await exportCli(['breaks', '-o', 'breaks.csv']);
    assert.equal(broke.code, 1, broke.stderr);
    assert.match(broke.stderr, /division by zero \(after [\d,]+ rows\)/);
    assert.ok(!existsSync(path.join(tmp(), 'breaks.csv')));
    assert.deepEqual(leftovers(), []);
    const refused = await exportCli(['writes', '-o', 'writes.csv', '--json']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.equal((JSON.parse(refused.stderr) as { error: string }).error, 'refused');
    assert.ok(!existsSync(path.join(tmp(), 'writes.csv')));
    const usage = await exportCli(['big', '--format', 'parquet']);
    assert.equal(usage.code, 2);
    const folder = await exportCli(['big', '-o', tmp()]);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /is a folder/);
    // A slip of -o onto the model's own SQL (or retl.yaml) would replace it with rows.
    const own = await exportCli(['big', '-o', 'big.sql']);
    assert.equal(own.code, 1);
    assert.match(own.stderr, /is the query file of model "big"/);
    assert.equal(readFileSync(path.join(tmp(), 'big.sql'), 'utf8'), MODELS.big);
    const config = await exportCli(['big', '-o', 'retl.yaml']);
    assert.match(config.stderr, /retl\.yaml; choose another file/);
    // The same files reached through a link to their folder, or through /proc: refused too.
    symlinkSync('.', path.join(tmp(), 'sub'));
    for (const target of ['sub/retl.yaml', 'sub/big.sql', `/proc/self/cwd/big.sql`]) {
      const r = await exportCli(['tenth', '-o', target]);
      assert.equal(r.code, 1, `${target}: ${r.stderr}`);
      assert.match(r.stderr, /choose another file/);
    }
    assert.equal(readFileSync(path.join(tmp(), 'big.sql'), 'utf8'), MODELS.big);
    assert.match(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), /^version: 1/);
  });

  it('a named pipe as the output is written through, not replaced by a file', async () => {
    workspace();
    const fifo = path.join(tmp(), 'rows.fifo');
    execFileSync('mkfifo', [fifo]);
    const reading = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo).on('data', (c) => chunks.push(c as Buffer)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
    });
    const r = await exportCli(['awkward', '-o', fifo]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await reading) === (await copyCsv(MODELS.awkward!.trim())));
    assert.ok(statSync(fifo).isFIFO(), 'still a pipe');
  });

  it('SIGTERM cancels like Ctrl-C: no partial file; Ctrl-C while standard output is blocked still stops at once', async () => {
    workspace();
    let child: import('node:child_process').ChildProcess | undefined;
    const run = exportCli(['slow', '-o', 'slow.csv'], (c) => (child = c));
    for (let i = 0; i < 600 && leftovers().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    child!.kill('SIGTERM');
    const r = await run;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Cancelled/);
    assert.deepEqual(leftovers(), []);
    assert.ok(!existsSync(path.join(tmp(), 'slow.csv')));
    // Nobody reads standard output (a pager left open): the pipe fills, and Ctrl-C must not wait for it.
    const blocked = spawn(process.execPath, [CLI, 'export', 'big'], { cwd: tmp(), env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    blocked.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sent = Date.now();
    blocked.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => blocked.on('close', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Cancelled/);
    assert.ok(Date.now() - sent < 10_000, 'it ended without anyone reading the pipe');
  });

  it('standard output closed early (| head): exit 1 with a message, and the query stops on the server', async () => {
    workspace();
    let child: import('node:child_process').ChildProcess | undefined;
    const run = exportCli(['slow'], (c) => {
      child = c;
      // Read the header and a few rows, then close the pipe as `head` does.
      c.stdout!.once('data', () => c.stdout!.destroy());
    });
    const r = await run;
    assert.ok(child);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /output was closed before every row was written/);
    assert.deepEqual(await activeQueries(), [], 'the query ends with its batch once the connection is dropped');
  });

  it('the engine over LSP (retl/export/run) writes the file with progress, and a cancelled request removes what it wrote', async () => {
    workspace();
    process.env.RETL_IT_PG_PASSWORD = fx.reader.password;
    const progress: ExportProgress[] = [];
    const engine = await startEngineProcess(tmp(), (c) => c.onNotification(Notifications.exportProgress.method, (p: ExportProgress) => void progress.push(p)));
    try {
      for (let i = 0; i < 100 && !((await engine.conn.sendRequest(Requests.workspaceState.method)) as WorkspaceState).models.length; i++) await new Promise((r) => setTimeout(r, 50));
      const file = path.join(tmp(), 'from-panel.jsonl');
      const done = (await engine.conn.sendRequest(Requests.exportRun.method, { exportId: 'e1', modelId: 'tenth', format: 'jsonl', path: file, sql: 'SELECT id, amount FROM public.big WHERE id <= 200000' })) as ExportOutcome;
      assert.ok(done.ok, JSON.stringify(done));
      assert.equal(done.rows, 200_000, 'the SQL given (the panel\'s last run) is what runs');
      assert.equal(readFileSync(file, 'utf8').split('\n')[0], '{"id":1,"amount":"0.01"}');
      assert.equal(progress.at(-1)?.rows, 200_000, 'the last progress is the whole count');
      assert.ok(progress.every((p) => p.exportId === 'e1'));

      progress.length = 0;
      const slow = path.join(tmp(), 'slow.csv');
      const source = new CancellationTokenSource();
      const pending = engine.conn.sendRequest(Requests.exportRun.method, { exportId: 'e2', modelId: 'slow', format: 'csv', path: slow }, source.token) as Promise<ExportOutcome>;
      for (let i = 0; i < 600 && !progress.some((p) => p.exportId === 'e2' && p.rows > 0); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(progress.length > 0, 'rows so far are reported while it runs');
      source.cancel();
      const outcome = await pending;
      assert.equal(outcome.ok, false);
      assert.equal(outcome.ok === false && outcome.kind, 'cancelled', JSON.stringify(outcome));
      for (let i = 0; i < 100 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(leftovers(), []);
      assert.ok(!existsSync(slow));
      const refused = (await engine.conn.sendRequest(Requests.exportRun.method, { exportId: 'e3', modelId: 'tenth', format: 'xml', path: file })) as ExportOutcome;
      assert.equal(refused.ok === false && refused.kind, 'refused');
      const relative = (await engine.conn.sendRequest(Requests.exportRun.method, { exportId: 'e4', modelId: 'tenth', format: 'csv', path: 'x.csv' })) as ExportOutcome;
      assert.equal(relative.ok === false && relative.kind, 'refused');
    } finally {
      await engine.stop();
    }
  });
});
