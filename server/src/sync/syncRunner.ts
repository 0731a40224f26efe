// One sync run of a connection: check the mapping against the model's columns, let the warehouse compute
// what changed since the last acknowledged snapshot, send it in batches with retries, and move the
// snapshot forward only for rows the destination acknowledged. A run that stops half way (a crash, a
// destination that stays down, a cancel) leaves the snapshot at the last acknowledged batch, so the next
// run sends the rest again: at least once, never lost.
import type { Connection, Destination, Model, RetlConfig } from '../../../protocol/src/config';
import type { SyncResult } from '../../../protocol/src/sync';
import { checkReadOnlyStatement, dialectOf } from '../sql/statementCheck';
import { abortError, type SqlSession, type Warehouse } from '../warehouse/warehouse';
import { TransientDeliveryError, type CsvBatch, type Rejection, type SyncDestination, type SyncRecord } from './destination';
import { postgresSyncDialect } from './postgresSyncDialect';
import { MAX_CONNECTION_ID_FOR_SYNC } from './postgresSyncSql';
import { snowflakeSyncDialect } from './snowflakeSyncDialect';
import { parsePayload } from './payloadJson';
import { duplicateKeyRows, SyncError, type AckStep, type SyncDialect, type WorkRow, type WorkSpec } from './syncDialect';

export const DEFAULT_BATCH_SIZE = 500;
/** A PostgreSQL table takes a batch as one COPY and one INSERT ... ON CONFLICT: larger batches cost less. */
export const POSTGRES_BATCH_SIZE = 5_000;
export const DEFAULT_CONCURRENCY = 4;

function batchSizeOf(d: Destination): number {
  return d.batchSize ?? (d.type === 'postgres' ? POSTGRES_BATCH_SIZE : DEFAULT_BATCH_SIZE);
}

/** Batches in flight at once, each a request (or a transaction of its own on its own connection). */
function concurrencyOf(d: Destination): number {
  return d.concurrency ?? DEFAULT_CONCURRENCY;
}

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
  /** Only the rows that failed before (a full run's rules for their keys). */
  failedOnly?: boolean;
  signal: AbortSignal;
  /** Waits between attempts of a batch that failed transiently; its length is the number of retries. */
  retryDelaysMs?: number[];
  onProgress?: (sent: number, total: number) => void;
}

const RETRY_DELAYS_MS = [500, 2_000, 8_000];
/** The longest Retry-After a run waits for; beyond it the rows go out on the next run. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** The sync dialect of a warehouse's session (the warehouses that can sync offer a session). */
export function syncDialectOf(warehouse: Warehouse, db: SqlSession, stateSchema: string, connectionId: string): SyncDialect {
  return warehouse.type === 'snowflake' ? snowflakeSyncDialect(db, stateSchema, connectionId) : postgresSyncDialect(db, stateSchema, connectionId);
}

/** What a run and a plan have once the connection is theirs: its dialect, the checked model, the columns to carry. */
export interface LockedRun {
  dialect: SyncDialect;
  statement: string;
  columns: string[];
  full: boolean;
  failedOnly: boolean;
  /** Runs `fn` so that Cancel stops its statement in the warehouse. */
  cancellable: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * The checks, a warehouse session, the connection's lock and state tables, the mapping checked against the
 * model's columns; then `fn`, and the lock is given back whatever happens.
 */
export async function underLock<T>(
  plan: Omit<SyncPlan, 'openDestination'>,
  options: { full?: boolean; failedOnly?: boolean; signal: AbortSignal },
  fn: (run: LockedRun) => Promise<T>,
): Promise<T> {
  const { connection, model, warehouse } = plan;
  if (connection.id.length > MAX_CONNECTION_ID_FOR_SYNC) throw new SyncError(`Connection id "${connection.id}" is too long to sync (at most ${MAX_CONNECTION_ID_FOR_SYNC} characters).`);
  if (!model.primaryKey) throw new SyncError(`Model "${model.id}" has no primaryKey: a sync needs one to know which rows changed.`);
  const withSqlSession = warehouse.withSqlSession?.bind(warehouse);
  if (!withSqlSession) throw new SyncError(`Syncing from ${warehouse.type} warehouses is not supported yet.`);
  const check = await checkReadOnlyStatement(plan.modelSql, dialectOf(warehouse.type));
  if (!check.ok) throw new SyncError(`Model "${model.id}": ${check.message}`);
  const failedOnly = options.failedOnly === true;
  if (failedOnly && options.full) throw new SyncError('A run sends either every row (full) or only the failed rows, not both.');
  const full = !failedOnly && (options.full === true || connection.mode === 'full');

  // Cancel reaches the warehouse only while it computes the changes (the one long statement); later it
  // stops the run between batches, so the snapshot and the run history are always written whole.
  const sqlAbort = new AbortController();
  const cancelSql = () => sqlAbort.abort();
  const cancellable = async <R>(work: () => Promise<R>): Promise<R> => {
    options.signal.addEventListener('abort', cancelSql, { once: true });
    try {
      if (options.signal.aborted) throw abortError();
      return await work();
    } finally {
      options.signal.removeEventListener('abort', cancelSql);
    }
  };
  return withSqlSession(sqlAbort.signal, async (db) => {
    const dialect = syncDialectOf(warehouse, db, plan.config.stateSchema, connection.id);
    if (!(await dialect.lock())) throw new SyncError(`Connection "${connection.id}" is already syncing.`);
    try {
      await dialect.prepareState();
      const columns = columnsToCarry(connection, model.primaryKey!, await dialect.modelColumns(check.statement));
      return await fn({ dialect, statement: check.statement, columns, full, failedOnly, cancellable });
    } finally {
      await dialect.unlock();
    }
  });
}

/** The work the warehouse computes for a run or a plan: the model's rows against the snapshot. */
export function workSpec(plan: Omit<SyncPlan, 'openDestination'>, run: LockedRun): WorkSpec {
  const { connection, model } = plan;
  return {
    statement: run.statement,
    primaryKey: model.primaryKey!,
    fields: run.columns.map((c): [string, string] => [c, connection.mapping?.[c] ?? c]),
    mirror: connection.mode === 'mirror',
    full: run.full,
    failedOnly: run.failedOnly,
  };
}

export async function runSync(plan: SyncPlan, options: SyncOptions): Promise<SyncResult> {
  const { connection, model } = plan;
  const started = performance.now();
  return underLock(plan, options, async (run) => {
    const keyField = connection.mapping?.[model.primaryKey!] ?? model.primaryKey!;
    const destination = await plan.openDestination(keyField);
    try {
      const runId = await run.dialect.startRun(run.full);
      let outcome: Outcome;
      try {
        outcome = await sendChanges(run, plan, destination, options);
      } catch (err) {
        // The history says why the run ended; what was acknowledged stays acknowledged.
        await run.dialect.failRun(runId, (err as Error).message).catch(() => undefined);
        throw err;
      }
      const result: SyncResult = {
        connection: connection.id,
        run: runId,
        full: run.full,
        ...outcome,
        durationMs: Math.round(performance.now() - started),
        ...(connection.paused ? { paused: true } : {}),
        ...(run.failedOnly ? { failedOnly: true } : {}),
      };
      await run.dialect.finishRun(runId, { ...result, skipped: result.unchanged });
      return result;
    } finally {
      await destination.close();
    }
  });
}

type Outcome = Omit<SyncResult, 'connection' | 'run' | 'full' | 'durationMs'>;

async function sendChanges(run: LockedRun, plan: SyncPlan, destination: SyncDestination, o: SyncOptions): Promise<Outcome> {
  const { dialect } = run;
  await run.cancellable(() => dialect.computeWork(workSpec(plan, run)));
  const invalid = await dialect.invalidRows();
  await dialect.recordFailed(duplicateKeyRows(invalid));
  const failedBefore = await dialect.hasFailedRows();
  const counts = await dialect.opCounts();
  const total = (counts.insert ?? 0) + (counts.update ?? 0) + (counts.delete ?? 0);
  // Rows of the result that go nowhere this run: unchanged (or, retrying failed rows, not among them).
  const unchanged = Math.max(0, (await dialect.modelRows()) - invalid.length - (counts.insert ?? 0) - (counts.update ?? 0));
  const done = { insert: 0, update: 0, delete: 0, failed: 0 };
  const batchSize = batchSizeOf(plan.destination);
  const concurrency = concurrencyOf(plan.destination);
  // The warehouse session takes one statement (or transaction) at a time: reads and acknowledgements queue.
  const warehouse = new Queue();
  const steps = new AckSteps(dialect, failedBefore);
  const inFlight = new Set<Promise<void>>();
  let error: string | undefined;
  let thrown: { err: unknown } | undefined;
  let read = 0;
  const csvBatches = dialect.csvBatches?.();
  // A destination that takes the warehouse's CSV of every batch needs no payloads: they are not read.
  const lean = !!csvBatches && ((await destination.takesCsv?.(csvBatches.fields, o.signal)) ?? false);
  const deliver = async (rows: WorkRow[], range: SeqRange) => {
    let rejected: Rejection[];
    // Read once for all attempts of the batch, on the warehouse session's queue.
    let text: Promise<string> | undefined;
    const csv = csvBatches && {
      fields: csvBatches.fields,
      read: () => (text ??= warehouse.run(() => csvBatches.read(range.after, range.through))),
      records: async () => (lean ? await warehouse.run(() => dialect.batch(range.after, rows.length)) : rows).map(recordOf),
    };
    try {
      rejected = await deliverWithRetries(destination, rows.map(recordOf), o, csv);
    } catch (err) {
      if (o.signal.aborted) error ??= 'Cancelled.';
      else if (err instanceof TransientDeliveryError) error ??= `The destination kept failing: ${err.message}. The rows not sent go out on the next run.`;
      else thrown ??= { err };
      return;
    }
    try {
      // Each batch is acknowledged on its own: one that fails does not hold back those delivered after it.
      const refused = await warehouse.run(() => steps.delivered(range, rows, rejected));
      for (const r of rows) if (!refused.has(r.key)) done[r.op]++;
      done.failed += refused.size;
      o.onProgress?.(done.insert + done.update + done.delete + done.failed, total);
    } catch (err) {
      thrown ??= { err };
    }
  };
  for (;;) {
    if (o.signal.aborted) error ??= 'Cancelled.';
    if (error !== undefined || thrown) break;
    if (inFlight.size >= concurrency) {
      await Promise.race(inFlight);
      continue;
    }
    let rows: WorkRow[];
    try {
      rows = await warehouse.run(() => dialect.batch(read, batchSize, !lean));
    } catch (err) {
      thrown = { err };
      break;
    }
    if (rows.length === 0) break;
    const range = { after: read, through: rows[rows.length - 1]!.seq };
    read = range.through;
    const sending = deliver(rows, range).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  // What was delivered is acknowledged whatever ended the run; the first failure is the one told.
  await Promise.all(inFlight);
  if (thrown) {
    await warehouse.run(() => steps.flush()).catch(() => undefined);
    throw thrown.err;
  }
  await warehouse.run(() => steps.flush());
  const sent = done.insert + done.update + done.delete + done.failed;
  if (!error) await dialect.dropWork();
  return {
    added: done.insert,
    changed: done.update,
    removed: done.delete,
    failed: done.failed,
    invalid: invalid.length,
    unchanged,
    unsent: total - sent,
    ...(error ? { error } : {}),
  };
}

/** A work row as a destination takes it; its fields are parsed only for a destination that reads them. */
function recordOf(r: WorkRow): SyncRecord {
  const op = r.op === 'delete' ? 'delete' : 'upsert';
  // An upsert read without its payload goes as the warehouse's CSV (CsvBatch.records reads it again).
  const unread = op === 'upsert' && r.payload === null;
  const fieldsJson = r.payload ?? '{}';
  let fields: Record<string, unknown> | undefined;
  return {
    op,
    key: r.key,
    hash: r.hash,
    ...(unread ? {} : { fieldsJson }),
    get fields() {
      if (unread) throw new Error(`The fields of row ${r.key} were not read from the warehouse.`);
      return (fields ??= parsePayload(fieldsJson));
    },
  };
}

/** The seqs of a batch: (after, through]. */
interface SeqRange {
  after: number;
  through: number;
}

/** Runs tasks one after the other, in the order they were given. */
class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Delivered batches waiting to be acknowledged, written as one step every `batchesPerStep` batches, when a
 * batch is not the next after the step's last (batches in flight finish in any order), and when the run
 * ends. Until a step is written its rows are only delivered: a kill re-sends them.
 */
class AckSteps {
  private step: AckStep | undefined;
  private batches = 0;

  constructor(
    private readonly dialect: SyncDialect,
    private readonly failedBefore: boolean,
  ) {}

  /** Adds a delivered batch; returns the keys refused in it. */
  async delivered(range: SeqRange, rows: WorkRow[], rejected: Rejection[]): Promise<Set<string>> {
    const reasons = new Map(rejected.map((r) => [r.key, r.reason]));
    const refused = rows.filter((r) => reasons.has(r.key)).map((r) => ({ key: r.key, op: r.op, reason: reasons.get(r.key)! }));
    if (this.step && this.step.through !== range.after) await this.flush();
    this.step ??= { after: range.after, through: range.through, hasDeletes: false, refused: [] };
    this.step.through = range.through;
    this.step.hasDeletes ||= rows.some((r) => r.op === 'delete');
    this.step.refused.push(...refused);
    if (++this.batches >= this.dialect.batchesPerStep) await this.flush();
    return new Set(refused.map((r) => r.key));
  }

  async flush(): Promise<void> {
    const step = this.step;
    if (!step) return;
    this.step = undefined;
    this.batches = 0;
    await this.dialect.acknowledge(step, this.failedBefore);
  }
}

async function deliverWithRetries(destination: SyncDestination, records: SyncRecord[], o: SyncOptions, csv?: CsvBatch): Promise<Rejection[]> {
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await destination.deliver(records, o.signal, csv);
    } catch (err) {
      if (!(err instanceof TransientDeliveryError) || attempt >= delays.length || o.signal.aborted) throw err;
      // A 429's Retry-After is the wait the destination asks for (at least ours), up to MAX_RETRY_AFTER_MS.
      const asked = err.retryAfterMs;
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
        throw new TransientDeliveryError(`${err.message} (it asks to wait ${Math.round(asked / 1000)} s, longer than a run waits)`);
      }
      await sleep(Math.max(delays[attempt]!, asked ?? 0), o.signal);
    }
  }
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

