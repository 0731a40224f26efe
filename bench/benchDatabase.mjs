// The data the benchmarks read, in a database of the throwaway PostgreSQL server the tests use:
// items_1m (1,000,000 rows; `name` is unindexed, for ORDER BY), events_10m (10,000,000 rows, for paging
// memory) and 400 wide tables t0..t399 of 50 columns each (a 20,000-column catalog for the language servers).
import { engineModule, wideColumnType } from './lib.mjs';

export const BENCH_DB = 'retl_bench';

export async function startBenchDatabase({ pagingRows }) {
  const { sharedPostgres, stopSharedPostgres } = engineModule('test/helpers/postgres.js');
  const server = await sharedPostgres();
  const admin = await server.admin();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB}`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const db = await server.admin(BENCH_DB);
  const t = performance.now();
  // Unlogged: the data is thrown away after the run, and loading it is the slow part of the bench.
  await db.query(`
    CREATE UNLOGGED TABLE public.items_1m AS
    SELECT g AS id, md5(g::text) AS name, (g::bigint * 7919 % 1000)::int AS score,
           timestamptz '2026-01-01' + g * interval '1 second' AS created_at
    FROM generate_series(1, 1000000) AS g;
    ALTER TABLE public.items_1m ADD PRIMARY KEY (id);`);
  await db.query(`
    CREATE UNLOGGED TABLE public.events_10m AS
    SELECT g::bigint AS id, (g % 50000)::int AS user_id, (ARRAY['view','click','buy'])[1 + g % 3] AS kind
    FROM generate_series(1, $1::int) AS g`, [pagingRows]);
  const columns = Array.from({ length: 50 }, (_, c) => `c${c} ${wideColumnType(c)}`).join(', ');
  const wide = Array.from({ length: 400 }, (_, n) => `CREATE TABLE public.t${n} (${columns});`).join('\n');
  await db.query(wide);
  await db.query('CREATE SCHEMA _retl'); // the state schema, where sync keeps its snapshots
  await db.query('VACUUM ANALYZE');
  const loadSeconds = (performance.now() - t) / 1000;
  return {
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
    database: BENCH_DB,
    db,
    loadSeconds,
    async stop() {
      await db.end().catch(() => undefined);
      await stopSharedPostgres();
    },
  };
}
