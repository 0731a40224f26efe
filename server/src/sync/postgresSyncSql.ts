// The SQL of a sync run, run inside the warehouse (PostgreSQL dialect: PostgreSQL and the demo
// warehouse). Per connection the state schema holds:
//   snap_<c>  key + hash of every row the destination acknowledged
//   fail_<c>  rows the destination refused, with the reason and how often
//   runs      one row per run, for every connection
// and the session's temporary tables (not WAL-logged, gone with the session; a run computes them anew)
// hold the run itself: pg_temp.retl_run_rows the model's result (key, hash, the mapped columns typed as
// the model gives them), retl_run_dups the keys that occur more than once, retl_run_ops the work (seq, op,
// key, hash, payload, `same`: a full run's update whose row the snapshot holds as it is, and the typed
// values). The rows are filled in a READ ONLY transaction of their own, which PostgreSQL allows for
// temporary tables only: whatever the model calls cannot write elsewhere.
//
// The hash is hashtextextended over the row's values as text ("r" and 64 bits; md5 over JSON took four
// times as long on 1M rows). A snapshot written before holds md5s of the payload (32 hex digits) or
// hashtextextended of its JSON text (digits, no "r"): such a row is compared the old way, so an upgrade
// sends nothing again, and takes the new hash when next acknowledged.
import { quoteIdent } from '../warehouse/postgres/pgSql';

/** Postgres cuts identifiers at 63 bytes; the longest prefix below is 5 characters. */
export const MAX_CONNECTION_ID_FOR_SYNC = 58;

export interface SyncTables {
  snap: string;
  rows: string;
  dups: string;
  ops: string;
  fail: string;
  runs: string;
  /** Where earlier versions kept the model's result and the work; dropped when found. */
  oldRows: string;
  oldOps: string;
}

export const RUN_ROWS = 'pg_temp.retl_run_rows';
const RUN_DUPS = 'pg_temp.retl_run_dups';
const RUN_OPS = 'pg_temp.retl_run_ops';

export function syncTables(stateSchema: string, connectionId: string): SyncTables {
  const t = (name: string) => `${quoteIdent(stateSchema)}.${quoteIdent(name)}`;
  return {
    snap: t(`snap_${connectionId}`),
    rows: RUN_ROWS,
    dups: RUN_DUPS,
    ops: RUN_OPS,
    fail: t(`fail_${connectionId}`),
    runs: t('runs'),
    oldRows: t(`rows_${connectionId}`),
    oldOps: t(`ops_${connectionId}`),
  };
}

export function createStateTablesSql(t: SyncTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.snap} (key text PRIMARY KEY, hash text NOT NULL, payload text)`,
    `CREATE TABLE IF NOT EXISTS ${t.fail} (key text PRIMARY KEY, op text NOT NULL, reason text NOT NULL, attempts integer NOT NULL, last_at timestamptz NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
       id bigserial PRIMARY KEY, connection text NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz,
       full_sync boolean NOT NULL, added integer, changed integer, removed integer, failed integer, invalid integer, skipped integer, error text)`,
  ];
}

/**
 * Columns later versions added to state tables made before them, each added only where it is missing:
 * ALTER TABLE needs the table's owner and an exclusive lock, which a run of another role must not need.
 */
export function addedColumns(t: SyncTables): { table: string; column: string; type: string }[] {
  return [
    // Snapshots from before plans: the payload acknowledged, so a plan can name the fields that changed.
    { table: t.snap, column: 'payload', type: 'text' },
    // Histories from before it was kept: rows not sent because they had not changed.
    { table: t.runs, column: 'skipped', type: 'integer' },
  ];
}

/** A model column the run carries: its destination field and the type of its column in the rows table. */
export interface CarriedColumn {
  column: string;
  field: string;
  /** The model's type as SQL (format_type), or json for a type no column here can have (record, one the role may not use). */
  type: string;
  /** Such a value is kept as its JSON (json_build_object embeds it as is). */
  asJson: boolean;
  /** PostgreSQL's own type (or an array of one): its text reads back the same in any database. */
  builtin: boolean;
}

/** The carried columns in the order of their fields' names, so the model's column order is no change. */
export function byField(columns: CarriedColumn[]): CarriedColumn[] {
  return [...columns].sort(({ field: a }, { field: b }) => (a < b ? -1 : a > b ? 1 : 0));
}

const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The JSON text of a row of the rows or work table (`alias`): field → value, in the order of the fields' names. */
export function payloadSql(columns: CarriedColumn[], alias: string): string {
  return `json_build_object(${byField(columns).map((c, i) => `${sqlText(c.field)}, ${alias}.v${i + 1}`).join(', ')})::text`;
}

/** A work row's payload: null for a delete. */
function workPayloadSql(columns: CarriedColumn[]): string {
  return `CASE WHEN o.op = 'delete' THEN NULL ELSE ${payloadSql(columns, 'o')} END`;
}

/**
 * Before the READ ONLY transaction (which refuses CREATE TEMP TABLE and TRUNCATE): an empty temporary
 * table for this run's rows, one typed column per carried model column (v1, v2, … in the order of their
 * fields). Not WAL-logged, private to the session, gone with it.
 */
export function prepareRunRowsSql(columns: CarriedColumn[]): string[] {
  const typed = byField(columns).map((c, i) => `, v${i + 1} ${c.type}`).join('');
  // DROP, not TRUNCATE: a session of an earlier version may hold the table with other columns.
  return [`DROP TABLE IF EXISTS ${RUN_ROWS}`, `CREATE TEMP TABLE retl_run_rows (k text, hash text${typed})`];
}

/**
 * The model's result, once: key as text, a hash, the carried values as the model typed them. The hash is
 * over the row of values as text (half the time of building JSON for every row, which is done only for the
 * rows that go out), seeded with the fields' names, so renaming a field changes it and the rows go out
 * again; "r" marks it apart from the hashes earlier versions kept. Not sorted: how often a key occurs is
 * counted afterwards over the keys alone (NULL and duplicate keys are reported, never sent).
 * Run through the model runner (SqlSession.readModel): one statement, READ ONLY.
 */
export function fillRunRowsSql(modelSql: string, primaryKey: string, columns: CarriedColumn[]): string {
  const sorted = byField(columns);
  const values = sorted.map((_, i) => `v${i + 1}`).join(', ');
  const picked = sorted.map((c, i) => `${c.asJson ? `to_json(q.${quoteIdent(c.column)})` : `q.${quoteIdent(c.column)}`} AS v${i + 1}`).join(', ');
  // The types too: a column that becomes text ("1" for 1) changes what goes out, not the row's text.
  const seed = `hashtextextended(${sqlText(JSON.stringify(sorted.map((c) => [c.field, c.type])))}, 0)`;
  return `INSERT INTO ${RUN_ROWS} (k, hash, ${values})
     SELECT k, 'r' || hashtextextended(ROW(${values})::text, ${seed})::text, ${values}
     FROM (SELECT (q.${quoteIdent(primaryKey)})::text AS k, ${picked}
           FROM (\n${modelSql}\n) AS q) AS m`;
}

/**
 * This run's work, numbered so batches can be read in order and resumed by `seq` (in no particular order
 * of keys: sorting a million keys cost more than the numbering). A full run sends every current row
 * whatever its hash, and still deletes (mirror) what left the model since the snapshot: the snapshot is
 * compared, not emptied.
 */
export function computeOpsSql(t: SyncTables, columns: CarriedColumn[], o: { mirror: boolean; full: boolean; failedOnly: boolean }): string[] {
  // Retrying failed rows: only their keys, each sent whatever its hash (as a full run sends every row).
  const failed = (key: string) => (o.failedOnly ? ` AND EXISTS (SELECT 1 FROM ${t.fail} f WHERE f.key = ${key})` : '');
  const deletes = o.mirror
    ? `UNION ALL
       SELECT 'delete', s.key, NULL, false${columns.map(() => ', NULL').join('')} FROM ${t.snap} s
       WHERE NOT EXISTS (SELECT 1 FROM ${t.rows} r WHERE r.k = s.key)${failed('s.key')}`
    : '';
  // A snapshot row of an earlier version holds an md5 of the payload (32 characters) or a hash of its
  // JSON text (no "r"): compared as such.
  const payload = payloadSql(columns, 'r');
  // The typed values, not their JSON: that is built as rows are read and acknowledged, and a destination
  // that takes the warehouse's own CSV never needs it (batchCsvSql).
  const values = columns.map((_, i) => `v${i + 1}`).join(', ');
  const changed = `s.hash IS DISTINCT FROM CASE WHEN length(s.hash) = 32 THEN md5((${payload})::jsonb::text)
    WHEN left(s.hash, 1) <> 'r' THEN hashtextextended(${payload}, 0)::text ELSE r.hash END`;
  return [
    `DROP TABLE IF EXISTS ${t.ops}`,
    `CREATE TEMP TABLE retl_run_ops AS
     SELECT row_number() OVER () AS seq, op, key, hash, same, ${values} FROM (
       SELECT CASE WHEN s.key IS NULL THEN 'insert' ELSE 'update' END AS op, r.k AS key, r.hash,
              coalesce(s.hash = r.hash AND s.payload IS NOT NULL, false) AS same, ${columns.map((_, i) => `r.v${i + 1}`).join(', ')}
       FROM ${t.rows} r LEFT JOIN ${t.snap} s ON s.key = r.k
       WHERE r.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t.dups} d WHERE d.k = r.k)${o.full || o.failedOnly ? '' : ` AND (s.key IS NULL OR ${changed})`}${failed('r.k')}
       ${deletes}
     ) AS w`,
    `ALTER TABLE ${t.ops} ADD PRIMARY KEY (seq)`,
  ];
}

/**
 * The keys that occur more than once, in retl_run_dups. A unique index (bytewise "C" order: three times
 * faster to build, and equality is the same) proves there are none in a third of the time a count by key
 * takes; only when it fails are they counted.
 */
export function duplicateKeysSql(t: SyncTables): { dropped: string; proof: string; none: string; counted: string } {
  return {
    dropped: `DROP TABLE IF EXISTS ${t.dups}`,
    proof: `CREATE UNIQUE INDEX ON ${t.rows} (k COLLATE "C")`,
    none: `CREATE TEMP TABLE retl_run_dups (k text, n bigint)`,
    counted: `CREATE TEMP TABLE retl_run_dups AS SELECT k, count(*) AS n FROM ${t.rows} WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1`,
  };
}

export function sizesSql(t: SyncTables): string {
  return `SELECT (SELECT count(*) FROM ${t.rows})::bigint AS model_rows, (SELECT count(*) FROM ${t.snap})::bigint AS snapshot_rows`;
}

export function samplesSql(t: SyncTables, columns: CarriedColumn[]): string {
  return `SELECT o.key, ${workPayloadSql(columns)} AS payload, s.payload AS acknowledged FROM ${t.ops} o LEFT JOIN ${t.snap} s ON s.key = o.key WHERE o.op = $1 ORDER BY o.seq LIMIT $2`;
}

export function opCountsSql(t: SyncTables): string {
  return `SELECT op, count(*)::int AS n FROM ${t.ops} GROUP BY op`;
}

/** Rows that cannot be sent: NULL keys, and every row of a key that occurs more than once. */
export function invalidRowsSql(t: SyncTables): string {
  return `SELECT d.k AS key, d.n::int AS n FROM ${t.rows} r JOIN ${t.dups} d ON d.k = r.k
          UNION ALL SELECT NULL, count(*) OVER ()::int FROM ${t.rows} WHERE k IS NULL`;
}

export function batchSql(t: SyncTables, columns: CarriedColumn[], payload = true): string {
  // The payload as text, read by parsePayload: pg's JSON.parse of jsonb rounded numbers beyond 2^53.
  return `SELECT seq::bigint AS seq, op, key, hash, ${payload ? workPayloadSql(columns) : 'NULL::text'} AS payload FROM ${t.ops} o WHERE seq > $1 ORDER BY seq LIMIT $2`;
}

/**
 * The upserts of the batch (after, through] as CSV in the warehouse's own text output, the values in the
 * order of their fields' names: what a PostgreSQL table with the same column types takes as it is.
 */
export function batchCsvSql(t: SyncTables, columns: CarriedColumn[], after: number, through: number): string {
  if (!Number.isSafeInteger(after) || !Number.isSafeInteger(through)) throw new Error('A batch is a range of whole numbers.');
  const values = columns.map((_, i) => `v${i + 1}`).join(', ');
  return `COPY (SELECT ${values} FROM ${t.ops} WHERE seq > ${after} AND seq <= ${through} AND op <> 'delete') TO STDOUT (FORMAT csv)`;
}

/**
 * After a batch (the rows with seq in ($1, $2]): acknowledged rows move the snapshot, refused ones ($3,
 * their keys; $4, JSON of their keys, operations and reasons) are filed. One statement, so one round trip
 * and atomic without a transaction of its own; its parts touch rows of different keys. The keys and
 * hashes are read from the work table in the warehouse rather than sent back from here.
 */
export function acknowledgeSql(t: SyncTables, columns: CarriedColumn[], o: { deletes: boolean; cleared: boolean; refused: boolean }): string {
  const batch = `o.seq > $1 AND o.seq <= $2 AND NOT (o.key = ANY($3::text[]))`;
  const parts = [
    // An insert's key is in no snapshot row (the run holds the connection's lock): a plain INSERT, half
    // the time of an upsert; an update changes the row in place.
    `inserted AS (INSERT INTO ${t.snap} (key, hash, payload) SELECT o.key, o.hash, ${payloadSql(columns, 'o')} FROM ${t.ops} o WHERE o.op = 'insert' AND ${batch})`,
    // A full run sends unchanged rows too; their snapshot rows stay as they are (rewriting a million
    // unchanged rows was a third of such a run, and finding them by key a sixth).
    `updated AS (UPDATE ${t.snap} s SET hash = o.hash, payload = ${payloadSql(columns, 'o')} FROM ${t.ops} o
       WHERE o.op = 'update' AND NOT o.same AND o.key = s.key AND ${batch})`,
  ];
  if (o.deletes) parts.push(`deleted AS (DELETE FROM ${t.snap} s USING ${t.ops} o WHERE o.op = 'delete' AND o.key = s.key AND ${batch})`);
  // Only rows refused before can be in the failed table; this step's refusals are filed below.
  if (o.cleared) parts.push(`cleared AS (DELETE FROM ${t.fail} f USING ${t.ops} o WHERE o.key = f.key AND ${batch})`);
  if (o.refused) parts.push(`refused AS (${refusedSql(t, '$4')})`);
  return `WITH ${parts.join(',\n  ')}\nSELECT 1`;
}

export function failedRowsSql(t: SyncTables): string {
  return `SELECT key, op, reason, attempts, last_at FROM ${t.fail} ORDER BY last_at DESC, key LIMIT $1`;
}

/** Rows refused (`param`: JSON of their keys, operations and reasons) filed, or counted once more. */
export function refusedSql(t: SyncTables, param = '$1'): string {
  return `INSERT INTO ${t.fail} (key, op, reason, attempts, last_at)
              SELECT x.key, x.op, x.reason, 1, now() FROM jsonb_to_recordset(${param}::jsonb) AS x(key text, op text, reason text)
              ON CONFLICT (key) DO UPDATE SET op = EXCLUDED.op, reason = EXCLUDED.reason, attempts = ${t.fail}.attempts + 1, last_at = now()`;
}

export function dropWorkTablesSql(t: SyncTables): string[] {
  return [t.ops, t.dups, t.rows, t.oldRows, t.oldOps].map((table) => `DROP TABLE IF EXISTS ${table}`);
}
