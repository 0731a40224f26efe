// Export: `retl export` of 1,000,000 rows (a child process, as a user runs it) against a plain COPY of the
// same query to a file (pg-copy-streams, COPY ... TO STDOUT (FORMAT csv, HEADER)); the two files must be
// identical. Peak resident memory of `retl` (getrusage, from a preloaded exit hook) for 100,000, 1,000,000
// and 3,000,000 rows shows whether memory follows the row count.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { benchWorkspace } from './benchWorkspace.mjs';
import { ratio, requireFromRoot, root, round, stats } from './lib.mjs';

const QUERY = (n) => `SELECT id, name, score, created_at FROM public.items_1m${n < 1_000_000 ? ` WHERE id <= ${n}` : ''} ORDER BY id`;
const TRIPLE = `SELECT g AS id, md5(g::text) AS name, (g::bigint * 7919 % 1000)::int AS score, timestamptz '2026-01-01' + g * interval '1 second' AS created_at FROM generate_series(1, 3000000) AS g`;

export async function exportBench(pg, { runs }) {
  const { Client } = requireFromRoot('pg');
  const { to: copyTo } = requireFromRoot('pg-copy-streams');
  const ws = benchWorkspace(pg, {
    tenth: { sql: `${QUERY(100_000)}\n` },
    whole: { sql: `${QUERY(1_000_000)}\n` },
    triple: { sql: `${TRIPLE}\n` },
  });
  const out = mkdtempSync(join(tmpdir(), 'retl-export-bench-'));
  const retlExport = (model, format, file) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, ['-r', join(root, 'test/helpers/maxRss.js'), join(root, 'bin', 'retl.js'), 'export', model, '--format', format, '-o', file], { cwd: ws.dir, env: { ...process.env, ...ws.env } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        const ms = performance.now() - started;
        if (code !== 0) return reject(new Error(`retl export ${model} exited ${code}: ${stderr}`));
        resolve({ ms, maxRssMb: round(Number(/retl-max-rss-kb (\d+)/.exec(stderr)?.[1]) / 1024, 1) });
      });
    });
  const copy = async (sql, file) => {
    const started = performance.now();
    const c = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
    await c.connect();
    try {
      await c.query(`BEGIN READ ONLY; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'`);
      await pipeline(c.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT csv, HEADER)`)), createWriteStream(file));
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
    return performance.now() - started;
  };
  try {
    const csv = [];
    const copies = [];
    const jsonl = [];
    let peak;
    for (let i = 0; i < runs; i++) {
      const r = await retlExport('whole', 'csv', join(out, 'whole.csv'));
      csv.push(r.ms);
      peak = Math.max(peak ?? 0, r.maxRssMb);
      copies.push(await copy(QUERY(1_000_000), join(out, 'copy.csv')));
      jsonl.push((await retlExport('whole', 'jsonl', join(out, 'whole.jsonl'))).ms);
    }
    const identical = readFileSync(join(out, 'whole.csv')).equals(readFileSync(join(out, 'copy.csv')));
    if (!identical) throw new Error('the export differs from COPY');
    const tenth = await retlExport('tenth', 'csv', join(out, 'tenth.csv'));
    const triple = await retlExport('triple', 'csv', join(out, 'triple.csv'));
    const [e, c, j] = [stats(csv), stats(copies), stats(jsonl)];
    return {
      rows: 1_000_000,
      runs,
      csvMs: e,
      copyMs: c,
      jsonlMs: j,
      ratioToCopy: ratio(e.p50, c.p50),
      rowsPerSecond: Math.round(1_000_000 / (e.p50 / 1000)),
      fileMb: round(statSync(join(out, 'whole.csv')).size / 2 ** 20, 1),
      identicalToCopy: identical,
      peakRssMb: { rows100k: tenth.maxRssMb, rows1m: peak, rows3m: triple.maxRssMb },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(ws.dir, { recursive: true, force: true });
  }
}
