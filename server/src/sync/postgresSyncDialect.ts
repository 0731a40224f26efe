// The sync dialect of PostgreSQL and the demo warehouse: state tables in the state schema, the run's rows
// in a temporary table filled by the model runner (READ ONLY), an advisory lock per connection held by
// the session, and every acknowledged batch applied to the snapshot in a transaction of its own.
import type { SyncRunRecord } from '../../../protocol/src/sync';
import { sqlState, UNIQUE_VIOLATION, type ModelRead, type SqlSession } from '../warehouse/warehouse';
import { columnsSql, VALUE_TEXT_SETTINGS } from '../warehouse/postgres/modelRunner';
import { COLUMN_TYPES_SQL } from '../warehouse/postgres/pgSql';
import {
  acknowledgeSql,
  addedColumns,
  batchCsvSql,
  batchSql,
  byField,
  computeOpsSql,
  duplicateKeysSql,
  createStateTablesSql,
  dropWorkTablesSql,
  failedRowsSql,
  fillRunRowsSql,
  invalidRowsSql,
  opCountsSql,
  prepareRunRowsSql,
  refusedSql,
  samplesSql,
  sizesSql,
  syncTables,
  type CarriedColumn,
} from './postgresSyncSql';
import { failedRowRecord, missingStateSchema, runRecord, type AckStep, type FailedRow, type RunCounts, type SyncDialect, type WorkOp, type WorkRow, type WorkSpec } from './syncDialect';


export function postgresSyncDialect(db: SqlSession, stateSchema: string, connectionId: string): SyncDialect {
  const t = syncTables(stateSchema, connectionId);
  const lockName = `retl-sync:${connectionId}`;
  const exists = async (table: string) => !!(await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]))[0]?.t;
  const hasColumn = async (table: string, column: string) =>
    (await db.query(`SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`, [table, column])).length > 0;
  /** The columns this run carries, once its work is computed. */
  let carried: CarriedColumn[] | undefined;
  /** How many rows the fill wrote, where the warehouse said. */
  let filled: number | undefined;
  const work = (): CarriedColumn[] => {
    if (!carried) throw new Error('The work of this run is not computed yet.');
    return carried;
  };
  /** The model's columns as the last LIMIT 0 plan gave them. */
  let planned: { statement: string; read: ModelRead } | undefined;

  /** Each field's model column with the type the run's rows table keeps it in. */
  async function carriedColumns(spec: WorkSpec): Promise<CarriedColumn[]> {
    if (planned?.statement !== spec.statement) await dialect.modelColumns(spec.statement);
    const { columns, types } = planned!.read;
    if (!types) throw new Error('The warehouse did not say the types of the model\'s columns.');
    const at = spec.fields.map(([column]) => columns.indexOf(column));
    const sqlTypes = await db.query<{ type: string | null; unusable: boolean; builtin: boolean }>(COLUMN_TYPES_SQL, [at.map((i) => types[i]!.oid), at.map((i) => types[i]!.typmod)]);
    return spec.fields.map(([column, field], i) => {
      const { type, unusable, builtin } = sqlTypes[i]!;
      return unusable || !type ? { column, field, type: 'json', asJson: true, builtin: false } : { column, field, type, asJson: false, builtin };
    });
  }

  const dialect: SyncDialect = {
    batchesPerStep: 1,

    async prepareState() {
      if ((await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [stateSchema])).length === 0) {
        throw missingStateSchema(stateSchema);
      }
      for (const sql of createStateTablesSql(t)) await db.query(sql);
      for (const c of addedColumns(t)) {
        if (!(await hasColumn(c.table, c.column))) await db.query(`ALTER TABLE ${c.table} ADD COLUMN IF NOT EXISTS ${c.column} ${c.type}`);
      }
    },

    async lock() {
      const [row] = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockName]);
      if (!row?.ok) return false;
      // Every statement of the run reads values as the same text, so a row's hash depends on its values
      // only, not on the TimeZone or DateStyle a role or database set. Reset in unlock.
      for (const [name, value] of VALUE_TEXT_SETTINGS) await db.query(`SET ${name} = '${value}'`);
      return true;
    },

    async unlock() {
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => undefined);
      for (const [name] of VALUE_TEXT_SETTINGS) await db.query(`RESET ${name}`).catch(() => undefined);
    },

    async startRun(full) {
      const [run] = await db.query<{ id: string }>(`INSERT INTO ${t.runs} (connection, started_at, full_sync) VALUES ($1, now(), $2) RETURNING id`, [connectionId, full]);
      return Number(run!.id);
    },

    async finishRun(run, o: RunCounts & { error?: string }) {
      await db.query(
        `UPDATE ${t.runs} SET finished_at = now(), added = $2, changed = $3, removed = $4, failed = $5, invalid = $6, skipped = $7, error = $8 WHERE id = $1`,
        [run, o.added, o.changed, o.removed, o.failed, o.invalid, o.skipped, o.error ?? null],
      );
    },

    async failRun(run, error) {
      await db.query(`UPDATE ${t.runs} SET finished_at = now(), error = $2 WHERE id = $1`, [run, error]);
    },

    async modelColumns(statement) {
      // LIMIT 0: the warehouse plans the query and names its columns (and their types) without reading a row.
      planned = { statement, read: await db.readModel(columnsSql(statement), {}) };
      return planned.read.columns;
    },

    async computeWork(spec: WorkSpec) {
      const columns = await carriedColumns(spec);
      carried = columns;
      for (const sql of prepareRunRowsSql(columns)) await db.query(sql);
      filled = (await db.readModel(fillRunRowsSql(spec.statement, spec.primaryKey, columns), {})).rowCount;
      const dups = duplicateKeysSql(t);
      await db.query(dups.dropped);
      try {
        await db.query(dups.proof);
        await db.query(dups.none);
      } catch (err) {
        if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
        await db.query(dups.counted);
      }
      for (const sql of computeOpsSql(t, columns, spec)) await db.query(sql);
    },

    async invalidRows() {
      return (await db.query<{ key: string | null; n: number }>(invalidRowsSql(t))).map((r) => ({ key: r.key, n: Number(r.n) }));
    },

    async recordFailed(rows: FailedRow[]) {
      if (rows.length) await db.query(refusedSql(t), [JSON.stringify(rows)]);
    },

    async hasFailedRows() {
      return (await db.query(`SELECT 1 FROM ${t.fail} LIMIT 1`)).length > 0;
    },

    async failedRows(limit) {
      if (!(await exists(t.fail))) return [];
      return (await db.query<Record<string, unknown>>(failedRowsSql(t), [limit])).map(failedRowRecord);
    },

    async opCounts() {
      return Object.fromEntries((await db.query<{ op: WorkOp; n: number }>(opCountsSql(t))).map((r) => [r.op, Number(r.n)]));
    },

    async modelRows() {
      return filled ?? Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.rows}`))[0]!.n);
    },

    async sizes() {
      const [r] = await db.query<{ model_rows: string; snapshot_rows: string }>(sizesSql(t));
      return { modelRows: Number(r!.model_rows), snapshotRows: Number(r!.snapshot_rows) };
    },

    async samples(op, limit) {
      return db.query<{ key: string; payload: string | null; acknowledged: string | null }>(samplesSql(t, work()), [op, limit]);
    },

    csvBatches() {
      const copyTo = db.copyTo?.bind(db);
      if (!carried || !copyTo) return undefined;
      const columns = carried;
      return {
        fields: byField(columns).map((c) => ({ name: c.field, type: c.type, builtin: c.builtin })),
        read: (after, through) => copyTo(batchCsvSql(t, columns, after, through)),
      };
    },

    async batch(after, size, payload = true): Promise<WorkRow[]> {
      const rows = await db.query<{ seq: string; op: WorkOp; key: string; hash: string | null; payload: string | null }>(batchSql(t, work(), payload), [after, size]);
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },

    async acknowledge(step: AckStep, failedBefore: boolean) {
      const refused = step.refused.length > 0;
      const sql = acknowledgeSql(t, work(), { deletes: step.hasDeletes, cleared: failedBefore, refused });
      const keys = step.refused.map((r) => r.key);
      await db.query(sql, [step.after, step.through, keys, ...(refused ? [JSON.stringify(step.refused)] : [])]);
    },

    async dropWork() {
      for (const sql of dropWorkTablesSql(t)) await db.query(sql);
    },

    async history(limit): Promise<SyncRunRecord[]> {
      if (!(await exists(t.runs))) return [];
      // skipped is there once a run of this version prepared the state tables.
      const skipped = await hasColumn(t.runs, 'skipped');
      const rows = await db.query<Record<string, unknown>>(
        `SELECT id, started_at, finished_at, full_sync, added, changed, removed, failed, invalid, ${skipped ? 'skipped' : 'NULL AS skipped'}, error FROM ${t.runs} WHERE connection = $1 ORDER BY id DESC LIMIT $2`,
        [connectionId, limit],
      );
      return rows.map(runRecord);
    },
  };
  return dialect;
}
