// One sync run of a connection: check the mapping against the model's columns, let the warehouse compute
// what changed since the last acknowledged snapshot, send it in batches with retries, and move the
// snapshot forward only for rows the destination acknowledged. A run that stops half way (a crash, a
// destination that stays down, a cancel) leaves the snapshot at the last acknowledged batch, so the next
// run sends the rest again: at least once, never lost.
import type { Connection, Destination, Model, RetlConfig } from '../../../protocol/src/config';
import type { SyncResult } from '../../../protocol/src/sync';
import { checkReadOnlyStatement } from '../sql/statementCheck';
import { abortError, type SqlSession, type Warehouse } from '../warehouse/warehouse';
import { TransientDeliveryError, type Rejection, type SyncDestination, type SyncRecord } from './destination';
import {
  acknowledgeSql,
  batchSql,
  computeOpsSql,
  createStateTablesSql,
  dropWorkTablesSql,
  fillRunRowsSql,
  invalidRowsSql,
  MAX_CONNECTION_ID_FOR_SYNC,
  opCountsSql,
  prepareRunRowsSql,
  syncTables,
} from './syncSql';
import { columnsSql, VALUE_TEXT_SETTINGS } from '../warehouse/postgres/modelRunner';

export const DEFAULT_BATCH_SIZE = 500;

export class SyncError extends Error {}

export interface SyncPlan {
  config: RetlConfig;
  connection: Connection;
  model: Model;
  modelSql: string;
  destination: Destination;
  warehouse: Warehouse;
  /** Made once the mapping is known to be valid; nothing is sent before. */
  openDestination: (keyField: string) => Promise<SyncDestination>;
}

export interface SyncOptions {
  full?: boolean;
  signal: AbortSignal;
  /** Waits between attempts of a batch that failed transiently; its length is the number of retries. */
  retryDelaysMs?: number[];
  onProgress?: (sent: number, total: number) => void;
}

const RETRY_DELAYS_MS = [500, 2_000, 8_000];

export async function runSync(plan: SyncPlan, options: SyncOptions): Promise<SyncResult> {
  const { connection, model, warehouse } = plan;
  const started = performance.now();
  if (connection.id.length > MAX_CONNECTION_ID_FOR_SYNC) throw new SyncError(`Connection id "${connection.id}" is too long to sync (at most ${MAX_CONNECTION_ID_FOR_SYNC} characters).`);
  if (!model.primaryKey) throw new SyncError(`Model "${model.id}" has no primaryKey: a sync needs one to know which rows changed.`);
  if (!warehouse.withSqlSession) throw new SyncError(`Syncing from ${warehouse.type} warehouses is not supported yet.`);
  const check = await checkReadOnlyStatement(plan.modelSql, 'postgres');
  if (!check.ok) throw new SyncError(`Model "${model.id}": ${check.message}`);
  const full = options.full === true || connection.mode === 'full';
  const t = syncTables(plan.config.stateSchema, connection.id);

  // Cancel reaches the warehouse only while it computes the changes (the one long statement); later it
  // stops the run between batches, so the snapshot and the run history are always written whole.
  const sqlAbort = new AbortController();
  const cancelSql = () => sqlAbort.abort();
  const cancellable = async <T>(fn: () => Promise<T>): Promise<T> => {
    options.signal.addEventListener('abort', cancelSql, { once: true });
    try {
      if (options.signal.aborted) throw abortError();
      return await fn();
    } finally {
      options.signal.removeEventListener('abort', cancelSql);
    }
  };
  return warehouse.withSqlSession(sqlAbort.signal, async (db) => {
    const lock = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`retl-sync:${connection.id}`]);
    if (!lock[0]?.ok) throw new SyncError(`Connection "${connection.id}" is already syncing.`);
    // Every statement of the run reads values as the same text, so a row's hash depends on its values
    // only, not on the TimeZone or DateStyle a role or database set. Reset before the session is reused.
    for (const [name, value] of VALUE_TEXT_SETTINGS) await db.query(`SET ${name} = '${value}'`);
    try {
      const schema = plan.config.stateSchema;
      if ((await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length === 0) {
        throw new SyncError(`The state schema "${schema}" does not exist in this warehouse; sync keeps its snapshots there. "Verify Credentials" shows the SQL that creates it.`);
      }
      const columns = await modelColumns(db, check.statement);
      const carried = columnsToCarry(connection, model.primaryKey!, columns);
      const keyField = connection.mapping?.[model.primaryKey!] ?? model.primaryKey!;
      const destination = await plan.openDestination(keyField);
      try {
        for (const sql of createStateTablesSql(t)) await db.query(sql);
        const [run] = await db.query<{ id: string }>(`INSERT INTO ${t.runs} (connection, started_at, full_sync) VALUES ($1, now(), $2) RETURNING id`, [connection.id, full]);
        const runId = Number(run!.id);
        let outcome: Outcome;
        try {
          outcome = await sendChanges(db, t, plan, destination, { ...options, full, columns: carried, statement: check.statement, cancellable });
        } catch (err) {
          // The history says why the run ended; what was acknowledged stays acknowledged.
          await db.query(`UPDATE ${t.runs} SET finished_at = now(), error = $2 WHERE id = $1`, [runId, (err as Error).message]).catch(() => undefined);
          throw err;
        }
        const result: SyncResult = { connection: connection.id, run: runId, full, ...outcome, durationMs: Math.round(performance.now() - started) };
        await db.query(
          `UPDATE ${t.runs} SET finished_at = now(), added = $2, changed = $3, removed = $4, failed = $5, invalid = $6, error = $7 WHERE id = $1`,
          [runId, result.added, result.changed, result.removed, result.failed, result.invalid, result.error ?? null],
        );
        return result;
      } finally {
        await destination.close();
      }
    } finally {
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', [`retl-sync:${connection.id}`]).catch(() => undefined);
      for (const [name] of VALUE_TEXT_SETTINGS) await db.query(`RESET ${name}`).catch(() => undefined);
    }
  });
}

type Outcome = Omit<SyncResult, 'connection' | 'run' | 'full' | 'durationMs'>;

async function sendChanges(
  db: SqlSession,
  t: ReturnType<typeof syncTables>,
  plan: SyncPlan,
  destination: SyncDestination,
  o: SyncOptions & { full: boolean; columns: string[]; statement: string; cancellable: <T>(fn: () => Promise<T>) => Promise<T> },
): Promise<Outcome> {
  const { connection, model } = plan;
  await o.cancellable(async () => {
    const fields = o.columns.map((c): [string, string] => [c, connection.mapping?.[c] ?? c]);
    for (const sql of prepareRunRowsSql()) await db.query(sql);
    await db.readModel(fillRunRowsSql(o.statement, model.primaryKey!, fields), {});
    for (const sql of computeOpsSql(t, connection.mode === 'mirror', o.full)) await db.query(sql);
  });
  const invalid = await db.query<{ key: string | null; n: number }>(invalidRowsSql(t));
  await recordInvalid(db, t, invalid);
  const failedBefore = (await db.query(`SELECT 1 FROM ${t.fail} LIMIT 1`)).length > 0;
  const counts = Object.fromEntries((await db.query<{ op: string; n: number }>(opCountsSql(t))).map((r) => [r.op, Number(r.n)]));
  const total = (counts.insert ?? 0) + (counts.update ?? 0) + (counts.delete ?? 0);
  const done = { insert: 0, update: 0, delete: 0, failed: 0 };
  const batchSize = plan.destination.batchSize ?? DEFAULT_BATCH_SIZE;
  let after = 0;
  let error: string | undefined;
  for (;;) {
    if (o.signal.aborted) {
      error = 'Cancelled.';
      break;
    }
    const rows = await db.query<{ seq: string; op: 'insert' | 'update' | 'delete'; key: string; hash: string | null; payload: Record<string, unknown> | null }>(batchSql(t), [after, batchSize]);
    if (rows.length === 0) break;
    const records: SyncRecord[] = rows.map((r) => ({
      op: r.op === 'delete' ? 'delete' : 'upsert',
      key: r.key,
      hash: r.hash,
      fields: r.payload ?? {},
    }));
    let rejected: Rejection[];
    try {
      rejected = await deliverWithRetries(destination, records, o);
    } catch (err) {
      if (o.signal.aborted) {
        error = 'Cancelled.';
        break;
      }
      if (!(err instanceof TransientDeliveryError)) throw err;
      error = `The destination kept failing: ${err.message}. The rows not sent go out on the next run.`;
      break;
    }
    await acknowledge(db, t, after, rows, rejected, failedBefore);
    const refused = new Set(rejected.map((r) => r.key));
    for (const r of rows) if (!refused.has(r.key)) done[r.op]++;
    done.failed += refused.size;
    after = Number(rows[rows.length - 1]!.seq);
    o.onProgress?.(done.insert + done.update + done.delete + done.failed, total);
  }
  const sent = done.insert + done.update + done.delete + done.failed;
  if (!error) for (const sql of dropWorkTablesSql(t)) await db.query(sql);
  return {
    added: done.insert,
    changed: done.update,
    removed: done.delete,
    failed: done.failed,
    invalid: invalid.length,
    unsent: total - sent,
    ...(error ? { error } : {}),
  };
}

async function deliverWithRetries(destination: SyncDestination, records: SyncRecord[], o: SyncOptions): Promise<Rejection[]> {
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await destination.deliver(records, o.signal);
    } catch (err) {
      if (!(err instanceof TransientDeliveryError) || attempt >= delays.length || o.signal.aborted) throw err;
      await sleep(delays[attempt]!, o.signal);
    }
  }
}

async function acknowledge(
  db: SqlSession,
  t: ReturnType<typeof syncTables>,
  after: number,
  rows: { seq: string; op: string; key: string }[],
  rejected: Rejection[],
  failedBefore: boolean,
): Promise<void> {
  const refused = new Map(rejected.map((r) => [r.key, r.reason]));
  const range = [after, rows[rows.length - 1]!.seq, [...refused.keys()]];
  const sql = acknowledgeSql(t);
  await db.query('BEGIN');
  try {
    await db.query(sql.upserted, range);
    if (rows.some((r) => r.op === 'delete')) await db.query(sql.deleted, range);
    // Only rows refused before can be in the failed table (this run's refusals are written below).
    if (failedBefore) await db.query(sql.cleared, range);
    const failed = rows.filter((r) => refused.has(r.key)).map((r) => ({ key: r.key, op: r.op, reason: refused.get(r.key) }));
    if (failed.length) await db.query(sql.refused, [JSON.stringify(failed)]);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Duplicate keys go to the failed rows with the reason; NULL keys have no key to file them under. */
async function recordInvalid(db: SqlSession, t: ReturnType<typeof syncTables>, invalid: { key: string | null; n: number }[]): Promise<void> {
  const duplicates = invalid.filter((r) => r.key !== null);
  const unique = [...new Map(duplicates.map((r) => [r.key, r])).values()];
  if (unique.length === 0) return;
  const rows = unique.map((r) => ({ key: r.key, op: 'invalid', reason: `primary key occurs ${r.n} times in the model's result` }));
  await db.query(acknowledgeSql(t).refused, [JSON.stringify(rows)]);
}

async function modelColumns(db: SqlSession, statement: string): Promise<string[]> {
  // LIMIT 0: the warehouse plans the query and names its columns without reading a row.
  return (await db.readModel(columnsSql(statement), {})).columns;
}

/** The primary key, every mapped column and the RudderStack id columns; all of them when nothing is mapped. */
export function columnsToCarry(connection: Connection, primaryKey: string, columns: string[]): string[] {
  const has = new Set(columns);
  if (!has.has(primaryKey)) throw new SyncError(`The model's result has no primary key column "${primaryKey}" (columns: ${columns.join(', ')}).`);
  if (!connection.mapping) return columns;
  const wanted = [primaryKey, ...Object.keys(connection.mapping), connection.event?.userIdColumn, connection.event?.anonymousIdColumn].filter((c): c is string => !!c);
  const missing = wanted.filter((c) => !has.has(c));
  if (missing.length) {
    throw new SyncError(
      `Connection "${connection.id}" maps ${missing.map((c) => `"${c}"`).join(', ')}, which the model no longer returns (columns: ${columns.join(', ')}). Update the mapping; nothing was sent.`,
    );
  }
  return [...new Set(wanted)];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

