// The sync scenarios (syncScenarios.ts) against real PostgreSQL: a throwaway server is the warehouse and,
// in another database, the destination table.
import type pg from 'pg';
import { sharedPostgres, stopSharedPostgres } from '../helpers/postgres';
import { ROWS, syncScenarios } from './syncScenarios';

after(() => stopSharedPostgres());

let warehouse: pg.Client | undefined;
let destination: pg.Client | undefined;
const env: Record<string, string> = {};

const lowerKeys = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));

syncScenarios({
  title: 'real PostgreSQL warehouse and destination, local HTTP receiver',
  async setUp() {
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
    await destination.query("CREATE TABLE public.crm (customer_id integer PRIMARY KEY, email text NOT NULL, tier text CHECK (tier <> 'banned'))");
    env.RETL_SYNC_PW = server.adminPassword;
    const creds = (id: string, db: string) =>
      `  - id: ${id}\n    type: postgres\n    host: ${server.host}\n    port: ${server.port}\n    database: ${db}\n    user: ${server.adminUser}\n    passwordEnv: RETL_SYNC_PW\n    ssl: disable\n`;
    return `${creds('wh', `retl_sync_${suffix}`)}${creds('crm_db', `retl_dest_${suffix}`)}`;
  },
  async tearDown() {
    await warehouse?.end();
    await destination?.end();
  },
  query: async (sql) => lowerKeys((await warehouse!.query(sql)).rows as Record<string, unknown>[]),
  insertCustomers: async (from, count) => {
    await warehouse!.query(`INSERT INTO public.customers SELECT i, 'new' || i || '@example.com', 'free', 0 FROM generate_series($1::int, $2::int) AS i`, [from, from + count - 1]);
  },
  col: (name) => name,
  stateTable: (name) => `_retl.${name}`,
  broken: { sql: 'SELECT id, 100 / (id - 5) AS ratio FROM public.customers', error: /division by zero/ },
  batchesPerStep: 1,
  legacyHashes: [
    // md5 over the jsonb text of the mapped fields: what snapshots held before hashtextextended.
    ['md5 of the payload', `md5(jsonb_build_object('id', c.id, 'email', c.email, 'plan', c.plan)::text)`],
    // hashtextextended over the JSON text, fields in name order: before the hash was over the row's values.
    ['a hash of the JSON text', `hashtextextended(json_build_object('email', c.email, 'id', c.id, 'plan', c.plan)::text, 0)::text`],
  ],
  env,
  destination: { query: async (sql) => (await destination!.query(sql)).rows as Record<string, unknown>[] },
});
