// The sync dialect of Snowflake. Snowflake has no advisory locks and enforces no primary key, so the
// one-run-per-connection lock is a pre-created row in LOCKS taken by a conditional UPDATE (the rows it
// changed say whether it was taken), kept fresh by a heartbeat and taken over once stale or once its
// holder, a process on this machine, is gone. The run's rows and work are TRANSIENT tables in the state
// schema (no fail-safe copies; dropped after a run that finished), the payload an OBJECT_CONSTRUCT_KEEP_NULL
// (plain OBJECT_CONSTRUCT drops NULL fields: a value set to NULL would never be sent). A statement costs
// seconds on a real warehouse, so delivered batches are acknowledged in steps of several batches.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SyncRunRecord } from '../../../protocol/src/sync';
import type { SessionResult, SqlSession } from '../warehouse/warehouse';
import { quoteSnowflakeName, snowflakeSchemaName } from '../warehouse/snowflake/snowflakeWarehouse';
import { failedRowRecord, missingStateSchema, runRecord, SyncError, type AckStep, type FailedRow, type RunCounts, type SyncDialect, type WorkOp, type WorkRow, type WorkSpec } from './syncDialect';

/** 20 batches of 500: one acknowledgement step per 10,000 rows; a kill re-sends at most that many. */
export const SNOWFLAKE_BATCHES_PER_STEP = 20;
/** A lock whose heartbeat is older than this belongs to a run that died elsewhere. */
export const LOCK_STALE_SECONDS = 600;
const HEARTBEAT_MS = 60_000;

/**
 * Values as the same text in every run, so a row's key and hash depend on its values only, not on the
 * time zone or the output formats a user or account set. The session is the run's own.
 */
const SESSION_SETTINGS = `ALTER SESSION SET TIMEZONE = 'UTC', DATE_OUTPUT_FORMAT = 'YYYY-MM-DD', TIME_OUTPUT_FORMAT = 'HH24:MI:SS.FF9',
  TIMESTAMP_NTZ_OUTPUT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF9', TIMESTAMP_LTZ_OUTPUT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF9TZH:TZM',
  TIMESTAMP_TZ_OUTPUT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF9TZH:TZM'`;

export function snowflakeSyncTables(stateSchema: string, connectionId: string) {
  const schema = snowflakeSchemaName(stateSchema);
  const t = (name: string) => `${quoteSnowflakeName(schema)}.${quoteSnowflakeName(name)}`;
  const c = connectionId.toUpperCase();
  /** Names as INFORMATION_SCHEMA holds them. */
  const names = { snap: `SNAP_${c}`, fail: `FAIL_${c}`, runs: 'RUNS' };
  return { schema, names, snap: t(names.snap), fail: t(names.fail), rows: t(`ROWS_${c}`), ops: t(`OPS_${c}`), refused: t(`REFUSED_${c}`), runs: t(names.runs), locks: t('LOCKS') };
}

/** A holder names its process, so a run on this machine can tell a lock left by a killed run. */
function holderName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Whether `holder` is a process of this machine that no longer runs. */
export function holderIsGone(holder: string | null): boolean {
  const [host, pid] = (holder ?? '').split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lostLock(connectionId: string): SyncError {
  return new SyncError(`Connection "${connectionId}" lost its sync lock (no heartbeat for ${LOCK_STALE_SECONDS} s); another run may hold it. The rows not acknowledged go out on the next run.`);
}

type OpRow = { SEQ: string; OP: WorkOp; KEY: string; HASH: string | null; PAYLOAD: string | null };

const changed = (rows: Record<string, unknown>[]) => Number(rows[0]?.['number of rows updated'] ?? 0);

export function snowflakeSyncDialect(db: SqlSession, stateSchema: string, connectionId: string): SyncDialect {
  const t = snowflakeSyncTables(stateSchema, connectionId);
  const me = holderName();
  let heartbeat: NodeJS.Timeout | undefined;
  let inStep = false;
  let lost = false;
  const tableExists = async (name: string) =>
    (await db.query(`SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [t.schema, name])).length > 0;
  const hasColumn = async (table: string, column: string) =>
    (await db.query(`SELECT 1 FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [t.schema, table, column])).length > 0;
  /** This run's work as one result; position 0 is the row after `from`. */
  let work: { from: number; result: SessionResult<OpRow> } | undefined;

  /** A step's (or the invalid rows') refusals into the failed table: once more, with the reason. */
  const fileRefused = async (rows: FailedRow[]) => {
    await db.query(`DELETE FROM ${t.refused}`);
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO ${t.refused} (KEY, OP, REASON) SELECT f.VALUE:key::VARCHAR, f.VALUE:op::VARCHAR, f.VALUE:reason::VARCHAR FROM TABLE(FLATTEN(INPUT => PARSE_JSON(?))) f`,
      [JSON.stringify(rows)],
    );
  };
  // DELETE and INSERT rather than MERGE: the emulator cannot MERGE inside a transaction, and a step is one.
  const mergeRefused = async () => {
    await db.query(`UPDATE ${t.fail} f SET OP = r.OP, REASON = r.REASON, ATTEMPTS = f.ATTEMPTS + 1, LAST_AT = SYSDATE() FROM ${t.refused} r WHERE f.KEY = r.KEY`);
    await db.query(`INSERT INTO ${t.fail} (KEY, OP, REASON, ATTEMPTS, LAST_AT) SELECT r.KEY, r.OP, r.REASON, 1, SYSDATE() FROM ${t.refused} r WHERE NOT EXISTS (SELECT 1 FROM ${t.fail} f WHERE f.KEY = r.KEY)`);
  };
  /** A transaction the heartbeat stays out of (a statement of its own would join it). */
  const inTransaction = async (fn: () => Promise<void>) => {
    inStep = true;
    await db.query('BEGIN');
    try {
      await fn();
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      inStep = false;
    }
  };

  return {
    batchesPerStep: SNOWFLAKE_BATCHES_PER_STEP,

    async lock() {
      const [schema] = await db.query('SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = ?', [t.schema]);
      if (!schema) {
        throw missingStateSchema(t.schema);
      }
      await db.query(`CREATE TABLE IF NOT EXISTS ${t.locks} (CONNECTION VARCHAR NOT NULL, HOLDER VARCHAR, HEARTBEAT TIMESTAMP_NTZ)`);
      // Two first runs may both insert the row; the UPDATE below takes every row of the connection at once.
      await db.query(`INSERT INTO ${t.locks} (CONNECTION) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM ${t.locks} WHERE CONNECTION = ?)`, [connectionId, connectionId]);
      const take = (extra = '', params: unknown[] = []) =>
        db.query(
          `UPDATE ${t.locks} SET HOLDER = ?, HEARTBEAT = SYSDATE()
           WHERE CONNECTION = ? AND (HOLDER IS NULL OR HEARTBEAT < DATEADD(second, -${LOCK_STALE_SECONDS}, SYSDATE())${extra})`,
          [me, connectionId, ...params],
        );
      let taken = changed(await take()) > 0;
      if (!taken) {
        const holders = await db.query<{ HOLDER: string | null }>(`SELECT HOLDER FROM ${t.locks} WHERE CONNECTION = ?`, [connectionId]);
        const gone = holders.map((h) => h.HOLDER).filter(holderIsGone);
        // Only that holder's row: if another run took the lock meanwhile, the UPDATE changes nothing.
        if (gone.length === holders.length && gone[0]) taken = changed(await take(' OR HOLDER = ?', [gone[0]])) > 0;
      }
      if (!taken) return false;
      // Two first runs may each have inserted a row and each taken one: then neither runs.
      const [others] = await db.query<{ N: string }>(`SELECT COUNT(*) AS N FROM ${t.locks} WHERE CONNECTION = ? AND HOLDER IS NOT NULL AND HOLDER <> ?`, [connectionId, me]);
      if (Number(others?.N) > 0) {
        await this.unlock();
        return false;
      }
      try {
        await db.query(SESSION_SETTINGS);
      } catch (err) {
        // The emulator runs in UTC with ISO formats and implements no ALTER SESSION of these; Snowflake does.
        if (!/not implemented/i.test((err as Error).message)) {
          await this.unlock();
          throw err;
        }
      }
      heartbeat = setInterval(() => {
        if (inStep) return; // a statement now would join the step's transaction
        db.query(`UPDATE ${t.locks} SET HEARTBEAT = SYSDATE() WHERE CONNECTION = ? AND HOLDER = ?`, [connectionId, me]).then(
          (rows) => {
            if (changed(rows) === 0) lost = true;
          },
          () => undefined,
        );
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return true;
    },

    async unlock() {
      clearInterval(heartbeat);
      await db.query(`UPDATE ${t.locks} SET HOLDER = NULL, HEARTBEAT = NULL WHERE CONNECTION = ? AND HOLDER = ?`, [connectionId, me]).catch(() => undefined);
    },

    async prepareState() {
      for (const sql of [
        `CREATE TABLE IF NOT EXISTS ${t.snap} (KEY VARCHAR NOT NULL, HASH VARCHAR NOT NULL, PAYLOAD VARIANT)`,
        `CREATE TABLE IF NOT EXISTS ${t.fail} (KEY VARCHAR NOT NULL, OP VARCHAR NOT NULL, REASON VARCHAR NOT NULL, ATTEMPTS NUMBER NOT NULL, LAST_AT TIMESTAMP_NTZ NOT NULL)`,
        `CREATE TABLE IF NOT EXISTS ${t.runs} (ID NUMBER NOT NULL, CONNECTION VARCHAR NOT NULL, STARTED_AT TIMESTAMP_NTZ NOT NULL, FINISHED_AT TIMESTAMP_NTZ,
           FULL_SYNC BOOLEAN NOT NULL, ADDED NUMBER, CHANGED NUMBER, REMOVED NUMBER, FAILED NUMBER, INVALID NUMBER, SKIPPED NUMBER, ERROR VARCHAR)`,
        // DDL commits an open transaction in Snowflake: the step's table is made here, emptied in each step.
        `CREATE OR REPLACE TRANSIENT TABLE ${t.refused} (KEY VARCHAR, OP VARCHAR, REASON VARCHAR)`,
      ]) {
        await db.query(sql);
      }
      // Columns later versions added, only where missing: ALTER needs the table's owner (another role's run may not be).
      for (const [table, name, column, type] of [
        [t.snap, t.names.snap, 'PAYLOAD', 'VARIANT'],
        [t.runs, t.names.runs, 'SKIPPED', 'NUMBER'],
      ] as const) {
        if (!(await hasColumn(name, column))) await db.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
      }
    },

    async startRun(full) {
      // Numbered per connection under its lock: no RETURNING in Snowflake, and AUTOINCREMENT is not ordered.
      await db.query(`INSERT INTO ${t.runs} (ID, CONNECTION, STARTED_AT, FULL_SYNC) SELECT COALESCE(MAX(ID), 0) + 1, ?, SYSDATE(), ? FROM ${t.runs} WHERE CONNECTION = ?`, [
        connectionId, full, connectionId,
      ]);
      const [row] = await db.query<{ ID: string }>(`SELECT MAX(ID) AS ID FROM ${t.runs} WHERE CONNECTION = ?`, [connectionId]);
      return Number(row!.ID);
    },

    async finishRun(run, o: RunCounts & { error?: string }) {
      await db.query(`UPDATE ${t.runs} SET FINISHED_AT = SYSDATE(), ADDED = ?, CHANGED = ?, REMOVED = ?, FAILED = ?, INVALID = ?, SKIPPED = ?, ERROR = ? WHERE ID = ? AND CONNECTION = ?`, [
        o.added, o.changed, o.removed, o.failed, o.invalid, o.skipped, o.error ?? null, run, connectionId,
      ]);
    },

    async failRun(run, error) {
      await db.query(`UPDATE ${t.runs} SET FINISHED_AT = SYSDATE(), ERROR = ? WHERE ID = ? AND CONNECTION = ?`, [error, run, connectionId]);
    },

    async modelColumns(statement) {
      return (await db.readModel(`SELECT * FROM (\n${statement}\n) AS q LIMIT 0`, {})).columns;
    },

    async computeWork(spec: WorkSpec) {
      work = undefined;
      const pairs = spec.fields.map(([c, f]) => `${snowflakeString(f)}, q.${quoteColumn(c)}`);
      const payload = `OBJECT_CONSTRUCT_KEEP_NULL(${pairs.join(', ')})`;
      // Hashed over single-key objects in a fixed order: Snowflake does not promise the key order of
      // TO_JSON(OBJECT), and a hash that changed with it would send unchanged rows again.
      // Sorted by field, so reordering the model's columns or the mapping is no change (as on PostgreSQL,
      // whose jsonb orders keys itself).
      const byField = [...spec.fields].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
      const ordered = `ARRAY_CONSTRUCT(${byField.map(([c, f]) => `OBJECT_CONSTRUCT_KEEP_NULL(${snowflakeString(f)}, q.${quoteColumn(c)})`).join(', ')})`;
      await db.readModel(
        `CREATE OR REPLACE TRANSIENT TABLE ${t.rows} AS
         SELECT K, MD5(TO_JSON(ORDERED)) AS HASH, PAYLOAD, COUNT(*) OVER (PARTITION BY K) AS N
         FROM (SELECT TO_VARCHAR(q.${quoteColumn(spec.primaryKey)}) AS K, ${payload} AS PAYLOAD, ${ordered} AS ORDERED FROM (\n${spec.statement}\n) AS q) AS m`,
        {},
      );
      // Retrying failed rows: only their keys, each sent whatever its hash (as a full run sends every row).
      const failed = (key: string) => (spec.failedOnly ? ` AND EXISTS (SELECT 1 FROM ${t.fail} f WHERE f.KEY = ${key})` : '');
      const deletes = spec.mirror ? `UNION ALL SELECT 'delete', s.KEY, NULL, NULL FROM ${t.snap} s WHERE NOT EXISTS (SELECT 1 FROM ${t.rows} r WHERE r.K = s.KEY)${failed('s.KEY')}` : '';
      await db.query(
        `CREATE OR REPLACE TRANSIENT TABLE ${t.ops} AS
         SELECT ROW_NUMBER() OVER (ORDER BY OP, KEY) AS SEQ, OP, KEY, HASH, PAYLOAD FROM (
           SELECT CASE WHEN s.KEY IS NULL THEN 'insert' ELSE 'update' END AS OP, r.K AS KEY, r.HASH AS HASH, r.PAYLOAD AS PAYLOAD
           FROM ${t.rows} r LEFT JOIN ${t.snap} s ON s.KEY = r.K
           WHERE r.K IS NOT NULL AND r.N = 1${spec.full || spec.failedOnly ? '' : ' AND (s.KEY IS NULL OR s.HASH <> r.HASH)'}${failed('r.K')}
           ${deletes}
         ) AS w`,
      );
    },

    async invalidRows() {
      const rows = await db.query<{ KEY: string | null; N: string }>(`SELECT K AS KEY, N FROM ${t.rows} WHERE K IS NULL OR N > 1`);
      return rows.map((r) => ({ key: r.KEY, n: Number(r.N) }));
    },

    async recordFailed(rows) {
      if (rows.length === 0) return;
      await inTransaction(async () => {
        await fileRefused(rows);
        await mergeRefused();
      });
    },

    async hasFailedRows() {
      return (await db.query(`SELECT 1 FROM ${t.fail} LIMIT 1`)).length > 0;
    },

    async opCounts() {
      const rows = await db.query<{ OP: WorkOp; N: string }>(`SELECT OP, COUNT(*) AS N FROM ${t.ops} GROUP BY OP`);
      return Object.fromEntries(rows.map((r) => [r.OP, Number(r.N)]));
    },

    async modelRows() {
      const [r] = await db.query<{ N: string }>(`SELECT COUNT(*) AS N FROM ${t.rows}`);
      return Number(r!.N);
    },

    async sizes() {
      const [r] = await db.query<{ M: string; S: string }>(`SELECT (SELECT COUNT(*) FROM ${t.rows}) AS M, (SELECT COUNT(*) FROM ${t.snap}) AS S`);
      return { modelRows: Number(r!.M), snapshotRows: Number(r!.S) };
    },

    async samples(op, limit) {
      const rows = await db.query<{ KEY: string; PAYLOAD: string | null; ACK: string | null }>(
        `SELECT o.KEY, o.PAYLOAD, s.PAYLOAD AS ACK FROM ${t.ops} o LEFT JOIN ${t.snap} s ON s.KEY = o.KEY WHERE o.OP = ? ORDER BY o.SEQ LIMIT ${Math.max(0, Math.floor(limit))}`,
        [op],
      );
      return rows.map((r) => ({ key: r.KEY, payload: r.PAYLOAD, acknowledged: r.ACK }));
    },

    async batch(after, size): Promise<WorkRow[]> {
      // One statement for every batch: SEQ runs 1, 2, 3 … so the rows after `after` start at that position.
      // A statement per batch would cost seconds each on a real warehouse.
      if (!work || work.from > after) {
        if (!db.openResult) throw new Error('A Snowflake sync session reads its work as one result.');
        work = { from: after, result: await db.openResult<OpRow>(`SELECT SEQ, OP, KEY, HASH, PAYLOAD FROM ${t.ops} WHERE SEQ > ? ORDER BY SEQ`, [after]) };
      }
      const rows = await work.result.rows(after - work.from, after - work.from + size);
      return rows.map((r) => ({ seq: Number(r.SEQ), op: r.OP, key: r.KEY, hash: r.HASH, payload: r.PAYLOAD }));
    },

    async acknowledge(step: AckStep, failedBefore: boolean) {
      if (lost) throw lostLock(connectionId);
      const range = [step.after, step.through];
      const notRefused = `NOT EXISTS (SELECT 1 FROM ${t.refused} x WHERE x.KEY = o.KEY)`;
      await inTransaction(async () => {
        // Still ours, checked inside the step: a run that took over a lock it thought stale wins.
        const mine = await db.query(`UPDATE ${t.locks} SET HEARTBEAT = SYSDATE() WHERE CONNECTION = ? AND HOLDER = ?`, [connectionId, me]);
        if (changed(mine) === 0) lost = true;
        if (lost) throw lostLock(connectionId);
        await fileRefused(step.refused);
        // The snapshot row of every acknowledged key goes; the upserted come back with their new hash.
        await db.query(`DELETE FROM ${t.snap} s USING ${t.ops} o WHERE o.KEY = s.KEY AND o.SEQ > ? AND o.SEQ <= ? AND ${notRefused}`, range);
        await db.query(`INSERT INTO ${t.snap} (KEY, HASH, PAYLOAD) SELECT o.KEY, o.HASH, o.PAYLOAD FROM ${t.ops} o WHERE o.OP <> 'delete' AND o.SEQ > ? AND o.SEQ <= ? AND ${notRefused}`, range);
        if (failedBefore) await db.query(`DELETE FROM ${t.fail} f USING ${t.ops} o WHERE o.KEY = f.KEY AND o.SEQ > ? AND o.SEQ <= ? AND ${notRefused}`, range);
        if (step.refused.length) await mergeRefused();
      });
    },

    async dropWork() {
      for (const table of [t.ops, t.rows, t.refused]) await db.query(`DROP TABLE IF EXISTS ${table}`);
    },

    async failedRows(limit) {
      if (!(await tableExists(t.names.fail))) return [];
      const rows = await db.query<Record<string, unknown>>(
        `SELECT KEY, OP, REASON, ATTEMPTS, DATE_PART(EPOCH_MILLISECOND, LAST_AT) AS LAST_AT FROM ${t.fail} ORDER BY LAST_AT DESC, KEY LIMIT ${Math.max(0, Math.floor(limit))}`,
      );
      return rows.map((r) => failedRowRecord({ ...r, LAST_AT: Number(r.LAST_AT) }));
    },

    async history(limit): Promise<SyncRunRecord[]> {
      if (!(await tableExists(t.names.runs))) return [];
      // SKIPPED is there once a run of this version prepared the state tables.
      const skipped = await hasColumn(t.names.runs, 'SKIPPED');
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ID, DATE_PART(EPOCH_MILLISECOND, STARTED_AT) AS STARTED_AT, DATE_PART(EPOCH_MILLISECOND, FINISHED_AT) AS FINISHED_AT,
           FULL_SYNC, ADDED, CHANGED, REMOVED, FAILED, INVALID, ${skipped ? 'SKIPPED' : 'NULL AS SKIPPED'}, ERROR
         FROM ${t.runs} WHERE CONNECTION = ? ORDER BY ID DESC LIMIT ?`,
        [connectionId, limit],
      );
      const ms = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return rows.map((r) => runRecord({ ...r, STARTED_AT: ms(r.STARTED_AT), FINISHED_AT: ms(r.FINISHED_AT) }));
    },
  };
}

/**
 * A string literal of Snowflake's: a backslash escapes there as a doubled quote does, so both are
 * escaped (a field named `\'` would otherwise end the literal and run what follows).
 */
export function snowflakeString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A result column as the driver named it: exactly that name, quoted. */
function quoteColumn(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
