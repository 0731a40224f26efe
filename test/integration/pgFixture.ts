// The warehouse the PostgreSQL tests run against: a database with a 1-million-row table, a table of
// awkward values, the state schema, a reader role that may use it and one that may not.
import type { PostgresCredentials } from '../../protocol/src/config';
import { onSharedPostgresStop, sharedPostgres, type TestPostgres } from '../helpers/postgres';

export interface PgFixture {
  server: TestPostgres;
  database: string;
  reader: { user: string; password: string };
  noState: { user: string; password: string };
  credentials(user: { user: string; password: string }, extra?: Partial<PostgresCredentials>): PostgresCredentials;
}

let fixture: Promise<PgFixture> | undefined;
onSharedPostgresStop(() => {
  fixture = undefined;
});

export const BIG_ROWS = 1_000_000;
export const TEN_MB = 10 * 1024 * 1024;

export function pgFixture(): Promise<PgFixture> {
  fixture ??= build();
  return fixture;
}

async function build(): Promise<PgFixture> {
  const server = await sharedPostgres();
  const suffix = Math.random().toString(36).slice(2, 8);
  const database = `retl_it_${suffix}`;
  const reader = { user: `retl_${suffix}`, password: `pw-${suffix}-reader` };
  const noState = { user: `retl_nostate_${suffix}`, password: `pw-${suffix}-nostate` };
  const admin = await server.admin();
  try {
    await admin.query(`CREATE ROLE ${reader.user} LOGIN PASSWORD '${reader.password}'`);
    await admin.query(`CREATE ROLE ${noState.user} LOGIN PASSWORD '${noState.password}'`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const db = await server.admin(database);
  try {
    await db.query(`
      CREATE SCHEMA _retl;
      GRANT USAGE, CREATE ON SCHEMA _retl TO ${reader.user};
      CREATE TABLE public.big AS
        SELECT i AS id, md5(i::text) AS label, i % 1000 AS bucket, (i * 0.01)::numeric(12,2) AS amount
        FROM generate_series(1, ${BIG_ROWS}) AS i;
      ALTER TABLE public.big ADD PRIMARY KEY (id);
      COMMENT ON TABLE public.big IS 'one million rows';
      CREATE SEQUENCE public.counter;
      CREATE TABLE public.kinds (
        id int, label text, exact numeric(38,10), huge bigint, at timestamptz, day date, doc jsonb, flag boolean, blob text
      );
      INSERT INTO public.kinds VALUES
        (1, NULL, 12345678901234567890.1234567890, 9007199254740993, '2026-11-24 21:00:00.5+00', '2026-11-24', '{"a": [1, 2]}', true, repeat('x', ${TEN_MB})),
        (2, '', -0.0000000001, -1, NULL, NULL, 'null', false, '<img src=x onerror=alert(1)>'),
        (2, 'dup', 0, 0, '1999-12-31 23:59:59+00', '1999-12-31', '[]', NULL, NULL),
        (NULL, 'no key', 1, 1, NULL, NULL, NULL, NULL, NULL);
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader.user}, ${noState.user};
      GRANT USAGE ON SEQUENCE public.counter TO ${reader.user};
      ANALYZE public.big;
    `);
  } finally {
    await db.end();
  }
  return {
    server,
    database,
    reader,
    noState,
    credentials: (user, extra = {}) => ({
      id: 'pg',
      type: 'postgres',
      host: server.host,
      port: server.port,
      database,
      user: user.user,
      ssl: 'prefer',
      ...extra,
    }),
  };
}
