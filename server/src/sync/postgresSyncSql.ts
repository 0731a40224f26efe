// The SQL of a sync run, run inside the warehouse (PostgreSQL dialect: PostgreSQL and the demo
// warehouse). Per connection the state schema holds:
//   snap_<c>  key + hash of every row the destination acknowledged
//   ops_<c>   this run's work: seq, op (insert / update / delete), key, hash, payload
//   fail_<c>  rows the destination refused, with the reason and how often
//   runs      one row per run, for every connection
// and the session's temporary table pg_temp.retl_run_rows holds this run's model result: key, hash,
// payload (JSON of the mapped columns), key count. It is filled in a READ ONLY transaction of its own,
// which PostgreSQL allows for temporary tables only: whatever the model calls cannot write elsewhere.
import { quoteIdent } from '../warehouse/postgres/pgSql';

/** Postgres cuts identifiers at 63 bytes; the longest prefix below is 5 characters. */
export const MAX_CONNECTION_ID_FOR_SYNC = 58;

export interface SyncTables {
  snap: string;
  rows: string;
  ops: string;
  fail: string;
  runs: string;
  /** Where runs before the temporary table kept the model's result; dropped when found. */
  oldRows: string;
}

export const RUN_ROWS = 'pg_temp.retl_run_rows';

export function syncTables(stateSchema: string, connectionId: string): SyncTables {
  const t = (name: string) => `${quoteIdent(stateSchema)}.${quoteIdent(name)}`;
  return { snap: t(`snap_${connectionId}`), rows: RUN_ROWS, ops: t(`ops_${connectionId}`), fail: t(`fail_${connectionId}`), runs: t('runs'), oldRows: t(`rows_${connectionId}`) };
}

export function createStateTablesSql(t: SyncTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.snap} (key text PRIMARY KEY, hash text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.fail} (key text PRIMARY KEY, op text NOT NULL, reason text NOT NULL, attempts integer NOT NULL, last_at timestamptz NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
       id bigserial PRIMARY KEY, connection text NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz,
       full_sync boolean NOT NULL, added integer, changed integer, removed integer, failed integer, invalid integer, error text)`,
  ];
}

/**
 * Before the READ ONLY transaction (which refuses CREATE TEMP TABLE and TRUNCATE): an empty temporary
 * table for this run's rows. Not WAL-logged, private to the session, gone with it.
 */
export function prepareRunRowsSql(): string[] {
  return [`CREATE TEMP TABLE IF NOT EXISTS retl_run_rows (k text, hash text, payload jsonb, n bigint)`, `TRUNCATE ${RUN_ROWS}`];
}

/**
 * The model's result, once: key as text, a hash of the payload, the payload (destination field → value,
 * so renaming a field changes the hash and the rows go out again), and how often each key occurs (NULL and
 * duplicate keys are reported, never sent). `fields` pairs each model column to carry with its field.
 * Run through the model runner (SqlSession.readModel): one statement, READ ONLY.
 */
export function fillRunRowsSql(modelSql: string, primaryKey: string, fields: [column: string, field: string][]): string {
  const payload = `jsonb_build_object(${fields.map(([c, f]) => `'${f.replace(/'/g, "''")}', q.${quoteIdent(c)}`).join(', ')})`;
  return `INSERT INTO ${RUN_ROWS} (k, hash, payload, n)
     SELECT k, md5(payload::text), payload, count(*) OVER (PARTITION BY k)
     FROM (SELECT (q.${quoteIdent(primaryKey)})::text AS k, ${payload} AS payload
           FROM (\n${modelSql}\n) AS q) AS m`;
}

/**
 * This run's work, numbered so batches can be read in order and resumed by `seq`. A full run sends every
 * current row whatever its hash, and still deletes (mirror) what left the model since the snapshot:
 * the snapshot is compared, not emptied.
 */
export function computeOpsSql(t: SyncTables, mirror: boolean, full: boolean): string[] {
  const deletes = mirror
    ? `UNION ALL
       SELECT 'delete', s.key, NULL, NULL FROM ${t.snap} s
       WHERE NOT EXISTS (SELECT 1 FROM ${t.rows} r WHERE r.k = s.key)`
    : '';
  return [
    `DROP TABLE IF EXISTS ${t.ops}`,
    `CREATE TABLE ${t.ops} AS
     SELECT row_number() OVER (ORDER BY op, key) AS seq, op, key, hash, payload FROM (
       SELECT CASE WHEN s.key IS NULL THEN 'insert' ELSE 'update' END AS op, r.k AS key, r.hash, r.payload
       FROM ${t.rows} r LEFT JOIN ${t.snap} s ON s.key = r.k
       WHERE r.k IS NOT NULL AND r.n = 1${full ? '' : ' AND (s.key IS NULL OR s.hash <> r.hash)'}
       ${deletes}
     ) AS w`,
    `ALTER TABLE ${t.ops} ADD PRIMARY KEY (seq)`,
  ];
}

export function opCountsSql(t: SyncTables): string {
  return `SELECT op, count(*)::int AS n FROM ${t.ops} GROUP BY op`;
}

/** Rows that cannot be sent: NULL keys, and every row of a key that occurs more than once. */
export function invalidRowsSql(t: SyncTables): string {
  return `SELECT k AS key, n::int AS n FROM ${t.rows} WHERE k IS NULL OR n > 1`;
}

export function batchSql(t: SyncTables): string {
  // The payload as text, read by parsePayload: pg's JSON.parse of jsonb rounded numbers beyond 2^53.
  return `SELECT seq::bigint AS seq, op, key, hash, payload::text AS payload FROM ${t.ops} WHERE seq > $1 ORDER BY seq LIMIT $2`;
}

/**
 * After a batch (the rows with seq in ($1, $2]): acknowledged rows move the snapshot, refused ones ($3,
 * their keys) are recorded; one transaction. The keys and hashes are read from ops_<c> in the warehouse
 * rather than sent back from here.
 */
export function acknowledgeSql(t: SyncTables): { upserted: string; deleted: string; cleared: string; refused: string } {
  const batch = `seq > $1 AND seq <= $2 AND NOT (key = ANY($3::text[]))`;
  return {
    upserted: `INSERT INTO ${t.snap} (key, hash) SELECT key, hash FROM ${t.ops} WHERE op <> 'delete' AND ${batch}
               ON CONFLICT (key) DO UPDATE SET hash = EXCLUDED.hash`,
    deleted: `DELETE FROM ${t.snap} s USING ${t.ops} o WHERE o.op = 'delete' AND o.key = s.key AND ${batch.replace(/seq|key/g, (w) => `o.${w}`)}`,
    cleared: `DELETE FROM ${t.fail} f USING ${t.ops} o WHERE o.key = f.key AND ${batch.replace(/seq|key/g, (w) => `o.${w}`)}`,
    refused: `INSERT INTO ${t.fail} (key, op, reason, attempts, last_at)
              SELECT x.key, x.op, x.reason, 1, now() FROM jsonb_to_recordset($1::jsonb) AS x(key text, op text, reason text)
              ON CONFLICT (key) DO UPDATE SET op = EXCLUDED.op, reason = EXCLUDED.reason, attempts = ${t.fail}.attempts + 1, last_at = now()`,
  };
}

export function dropWorkTablesSql(t: SyncTables): string[] {
  return [`DROP TABLE IF EXISTS ${t.ops}`, `DROP TABLE IF EXISTS ${t.rows}`, `DROP TABLE IF EXISTS ${t.oldRows}`];
}
