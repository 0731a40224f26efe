// Sync throughput and memory, side by side in one run: 1,000,000 rows from the warehouse into an empty
// PostgreSQL table through `retl sync --full` (a child process, as a user or a scheduler runs it), against
// a plain COPY of the same rows between the same two databases (COPY TO STDOUT piped into COPY FROM STDIN,
// pg-copy-streams); the same rows to a local webhook that answers at once; and an incremental run after 1%
// of the rows changed, against the same plain COPY of all of them.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { requireBenchTool } from './benchTools.mjs';
import { benchWorkspace, PASSWORD_ENV } from './benchWorkspace.mjs';
import { ratio, requireFromRoot, root, round, rssMb, stats } from './lib.mjs';

const DEST_DB = 'retl_bench_dest';
const SMALL_ROWS = 100_000;
const COLUMNS = 'id, name, score, created_at';
const DDL = (table) => `CREATE TABLE public.${table} (id integer PRIMARY KEY, name text, score integer, created_at timestamptz)`;

export async function syncBench(pg, { runs, batchSize = 5_000 }) {
  const { Client } = requireFromRoot('pg');
  const { from: copyFrom, to: copyTo } = requireBenchTool('pg-copy-streams');
  const connect = async (database) => {
    const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database });
    await c.connect();
    return c;
  };
  const admin = await connect('postgres');
  await admin.query(`DROP DATABASE IF EXISTS ${DEST_DB}`);
  await admin.query(`CREATE DATABASE ${DEST_DB}`);
  await admin.end();
  const dest = await connect(DEST_DB);
  await dest.query(`${DDL('items_copy')}; ${DDL('items_sync')}; ${DDL('items_sync_small')}`);
  const source = await connect(pg.database);
  const rows = Number((await source.query('SELECT count(*) AS n FROM public.items_1m')).rows[0].n);

  const copyOnce = async () => {
    await dest.query('TRUNCATE public.items_copy');
    const t = performance.now();
    await pipeline(source.query(copyTo(`COPY (SELECT ${COLUMNS} FROM public.items_1m) TO STDOUT`)), dest.query(copyFrom(`COPY public.items_copy (${COLUMNS}) FROM STDIN`)));
    return performance.now() - t;
  };

  // A webhook that reads each batch whole and answers at once.
  let hookRows = 0;
  const hook = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hookRows += JSON.parse(Buffer.concat(chunks).toString()).batch.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${hook.address().port}/hook`;

  const ws = benchWorkspace(
    pg,
    {
      items: { sql: `SELECT ${COLUMNS} FROM public.items_1m\n`, primaryKey: 'id' },
      // A tenth of the rows, to see whether the process's memory grows with them.
      items_small: { sql: `SELECT ${COLUMNS} FROM public.items_1m WHERE id <= ${SMALL_ROWS}\n`, primaryKey: 'id' },
    },
    {
      credentials: [
        '  - id: dest',
        '    type: postgres',
        `    host: ${pg.host}`,
        `    port: ${pg.port}`,
        `    database: ${DEST_DB}`,
        `    user: ${pg.user}`,
        `    passwordEnv: ${PASSWORD_ENV}`,
        '    ssl: disable',
      ].join('\n'),
      sections: `destinations:\n  - id: table\n    type: postgres\n    credentials: dest\n    table: public.items_sync\n    batchSize: ${batchSize}\n  - id: small_table\n    type: postgres\n    credentials: dest\n    table: public.items_sync_small\n    batchSize: ${batchSize}\n  - id: hook\n    type: webhook\n    url: ${hookUrl}\n    batchSize: ${batchSize}\nconnections:\n  - id: small_to_table\n    model: items_small\n    destination: small_table\n  - id: items_to_table\n    model: items\n    destination: table\n  - id: items_to_hook\n    model: items\n    destination: hook\n`,
    },
  );
  const yamlPath = join(ws.dir, 'retl.yaml');

  const retlSync = async (connection, full) => {
    const t = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin', 'retl.js'), 'sync', connection, ...(full ? ['--full'] : []), '--json', '--config', yamlPath], {
      env: { ...process.env, ...ws.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const rss = [];
    const sampler = setInterval(() => {
      try {
        rss.push(rssMb(child.pid));
      } catch {
        /* exited */
      }
    }, 100);
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    const ms = performance.now() - t;
    if (code !== 0) throw new Error(`retl sync exited ${code}: ${err.slice(-500)}`);
    return { ms, rss, result: JSON.parse(out) };
  };

  const syncOnce = async () => {
    await dest.query('TRUNCATE public.items_sync');
    const { ms, rss, result } = await retlSync('items_to_table', true);
    if (result.added + result.changed !== rows) throw new Error(`sync sent ${result.added + result.changed} of ${rows} rows`);
    const copied = Number((await dest.query('SELECT count(*) AS n FROM public.items_sync')).rows[0].n);
    if (copied !== rows) throw new Error(`the destination holds ${copied} of ${rows} rows`);
    return { ms, rss, engineMs: result.durationMs };
  };

  const copyMs = [];
  const syncMs = [];
  const engineMs = [];
  let rssSamples = [];
  for (let i = 0; i < runs; i++) {
    copyMs.push(await copyOnce());
    const s = await syncOnce();
    syncMs.push(s.ms);
    engineMs.push(s.engineMs);
    if (i === 0) rssSamples = s.rss;
  }
  const small = await retlSync('small_to_table', true);
  if (small.result.added !== SMALL_ROWS) throw new Error(`the small sync sent ${small.result.added} of ${SMALL_ROWS} rows`);
  const same = await dest.query(`SELECT count(*)::int AS n FROM public.items_sync s JOIN public.items_copy c USING (id) WHERE s IS NOT DISTINCT FROM c`);

  // 1% of the rows change; the run after the full one sends those only.
  const incrementalMs = [];
  let changedSent = 0;
  for (let i = 0; i < runs; i++) {
    await source.query(`UPDATE public.items_1m SET score = score + 1 WHERE id % 100 = ${i}`);
    const { ms, result } = await retlSync('items_to_table', false);
    incrementalMs.push(ms);
    changedSent = result.changed;
    await source.query(`UPDATE public.items_1m SET score = score - 1 WHERE id % 100 = ${i}`);
    await retlSync('items_to_table', false); // back to the data the other sections read
  }

  const hookMs = [];
  for (let i = 0; i < runs; i++) {
    hookRows = 0;
    const { ms, result } = await retlSync('items_to_hook', true);
    if (hookRows < rows || result.added + result.changed !== rows) throw new Error(`the webhook got ${hookRows} of ${rows} rows`);
    hookMs.push(ms);
  }
  await new Promise((resolve) => hook.close(resolve));
  await source.end();
  await dest.end();
  const copy = stats(copyMs);
  const sync = stats(syncMs);
  return {
    rows,
    batchSize,
    copyMs: copy,
    syncMs: sync,
    syncEngineMs: stats(engineMs),
    rowsPerSecondCopy: Math.round(rows / (copy.p50 / 1000)),
    rowsPerSecondSync: Math.round(rows / (sync.p50 / 1000)),
    throughputRatio: ratio(copy.p50, sync.p50),
    goalRatio: 0.5,
    identicalRows: same.rows[0].n,
    incremental: { changedRows: changedSent, ms: stats(incrementalMs), ratioToCopy: ratio(stats(incrementalMs).p50, copy.p50), goalRatio: 1 },
    webhook: { ms: stats(hookMs), rowsPerSecond: Math.round(rows / (stats(hookMs).p50 / 1000)), goalRowsPerSecond: 50_000, concurrency: 4 },
    rssMb: { first: rssSamples[0] ?? null, peak: round(Math.max(...rssSamples), 1), last: rssSamples.at(-1) ?? null, samples: rssSamples.length },
    // The first full run of each: every row an insert, the snapshot empty.
    memoryByRows: { rows: [SMALL_ROWS, rows], peakRssMb: [round(Math.max(...small.rss), 1), round(Math.max(...rssSamples), 1)] },
  };
}
