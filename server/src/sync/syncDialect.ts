// What the one sync runner asks of a warehouse, whatever its SQL: the state tables, the lock that lets one
// run per connection, this run's work computed inside the warehouse, batches read in order, and the
// snapshot moved for acknowledged rows. PostgreSQL (and the demo warehouse) and Snowflake implement it.
import type { FailedRowRecord, SyncRunRecord } from '../../../protocol/src/sync';

/** A sync refused or stopped for a reason the user can act on (not a crash). */
export class SyncError extends Error {}

export function missingStateSchema(schema: string): SyncError {
  return new SyncError(`The state schema "${schema}" does not exist in this warehouse; sync keeps its snapshots there. "Verify Credentials" shows the SQL that creates it.`);
}

export type WorkOp = 'insert' | 'update' | 'delete';

export interface WorkRow {
  seq: number;
  op: WorkOp;
  key: string;
  hash: string | null;
  /** The mapped fields as JSON text, as the warehouse wrote it (null for a delete). */
  payload: string | null;
}

/** A row the destination refused (or the model's result made unsendable), filed under its key. */
export interface FailedRow {
  key: string;
  op: WorkOp | 'invalid';
  reason: string;
}

/** Delivered batches, contiguous in `seq`, acknowledged in one step: (after, through]. */
export interface AckStep {
  after: number;
  through: number;
  hasDeletes: boolean;
  refused: FailedRow[];
}

export interface RunCounts {
  added: number;
  changed: number;
  removed: number;
  failed: number;
  invalid: number;
  skipped: number;
}

export interface WorkSpec {
  /** The checked model statement. */
  statement: string;
  primaryKey: string;
  /** Each model column to carry with its destination field. */
  fields: [column: string, field: string][];
  mirror: boolean;
  full: boolean;
  /** Only the keys of rows that failed before, each sent whatever its hash. */
  failedOnly: boolean;
}

/**
 * A run's upserts as CSV in the warehouse's own text output (PostgreSQL's COPY TO), for a destination whose
 * columns have the same types: it takes them without a value being parsed on the way.
 */
export interface CsvBatches {
  /** Each CSV column's destination field, its SQL type (format_type) and whether PostgreSQL's own, in order. */
  fields: { name: string; type: string; builtin: boolean }[];
  /** The upserts with seq in (after, through]. */
  read(after: number, through: number): Promise<string>;
}

export interface SyncDialect {
  /**
   * How many delivered batches one acknowledgement step covers. A kill between steps re-sends at most
   * that many batches (at least once, never lost); a warehouse where a statement costs seconds takes more.
   */
  readonly batchesPerStep: number;
  /** Takes the connection's one-run lock; false when another run holds it. */
  lock(): Promise<boolean>;
  /** Under the lock: a SyncError when the state schema is missing; creates the state tables not there yet. */
  prepareState(): Promise<void>;
  unlock(): Promise<void>;
  startRun(full: boolean): Promise<number>;
  finishRun(run: number, outcome: RunCounts & { error?: string }): Promise<void>;
  failRun(run: number, error: string): Promise<void>;
  /** The model's result columns, read without reading a row. */
  modelColumns(statement: string): Promise<string[]>;
  /** The one long part: the model's rows with key, hash and key count, then this run's numbered work. */
  computeWork(spec: WorkSpec): Promise<void>;
  /** Rows that cannot be sent: NULL keys, and every row of a key that occurs more than once. */
  invalidRows(): Promise<{ key: string | null; n: number }[]>;
  recordFailed(rows: FailedRow[]): Promise<void>;
  hasFailedRows(): Promise<boolean>;
  /** The rows refused and not acknowledged since, the latest first; empty before the first run. */
  failedRows(limit: number): Promise<FailedRowRecord[]>;
  opCounts(): Promise<Partial<Record<WorkOp, number>>>;
  /** Rows of the model's result this run read (after computeWork). */
  modelRows(): Promise<number>;
  /** For a plan: rows of the model's result, and rows in the snapshot. */
  sizes(): Promise<{ modelRows: number; snapshotRows: number }>;
  /**
   * For a plan: the first `limit` rows of one kind of work, with the payload the snapshot holds for the
   * key (null when it holds none: a row acknowledged before snapshots kept payloads, or an insert).
   */
  samples(op: WorkOp, limit: number): Promise<{ key: string; payload: string | null; acknowledged: string | null }[]>;
  /** Without `payload` (a destination that takes the warehouse's CSV) the rows' payloads are left null. */
  batch(after: number, size: number, payload?: boolean): Promise<WorkRow[]>;
  /** After computeWork, where the warehouse can write a batch's values as CSV itself. */
  csvBatches?(): CsvBatches | undefined;
  /** One transaction: the snapshot moves for the step's rows but the refused, which are filed. */
  acknowledge(step: AckStep, failedBefore: boolean): Promise<void>;
  dropWork(): Promise<void>;
  /** The connection's run history, newest first; empty before the first run. */
  history(limit: number): Promise<SyncRunRecord[]>;
}

/** Duplicate keys are filed with the reason; NULL keys have no key to file them under. */
export function duplicateKeyRows(invalid: { key: string | null; n: number }[]): FailedRow[] {
  const unique = new Map<string, number>();
  for (const r of invalid) if (r.key !== null) unique.set(r.key, r.n);
  return [...unique].map(([key, n]) => ({ key, op: 'invalid', reason: `primary key occurs ${n} times in the model's result` }));
}

/** A row of a run history table, whatever the warehouse's types gave (text, numbers, dates). */
export function runRecord(r: Record<string, unknown>): SyncRunRecord {
  const get = (name: string) => r[name] ?? r[name.toUpperCase()] ?? null;
  const iso = (v: unknown) => (v === null ? null : new Date(v as string | Date).toISOString());
  const num = (v: unknown) => (v === null ? null : Number(v));
  const full = get('full_sync');
  return {
    run: Number(get('id')),
    startedAt: iso(get('started_at'))!,
    finishedAt: iso(get('finished_at')),
    full: full === true || full === 'true' || full === '1' || full === 1,
    added: num(get('added')),
    changed: num(get('changed')),
    removed: num(get('removed')),
    failed: num(get('failed')),
    invalid: num(get('invalid')),
    skipped: num(get('skipped')),
    error: (get('error') as string | null) ?? null,
  };
}

/** A row of a failed-rows table, whatever the warehouse's types gave. */
export function failedRowRecord(r: Record<string, unknown>): FailedRowRecord {
  const get = (name: string) => r[name] ?? r[name.toUpperCase()] ?? null;
  return {
    key: String(get('key')),
    op: String(get('op')),
    reason: String(get('reason')),
    attempts: Number(get('attempts')),
    lastAt: new Date(get('last_at') as string | Date).toISOString(),
  };
}
