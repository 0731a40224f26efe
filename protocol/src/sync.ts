// What a sync run reports, to the CLI (--json), the client and the run history.

export interface SyncResult {
  connection: string;
  /** Id of the run in the state schema's run history. */
  run: number;
  full: boolean;
  added: number;
  changed: number;
  removed: number;
  /** Rows the destination rejected this run (recorded with the reason, sent again next run). */
  failed: number;
  /** Rows with a NULL or duplicate primary key: never sent, counted here and recorded. */
  invalid: number;
  /** Rows computed for this run but not delivered because the run stopped (they go out next run). */
  unsent: number;
  durationMs: number;
  /** Rows of the model's result not sent because they had not changed (the history's "skipped"). */
  unchanged: number;
  /** The connection is paused: it ran because it was asked to, not on its schedule. */
  paused?: boolean;
  /** Only the rows that failed before were sent (`--failed-only`, Retry Failed Rows). */
  failedOnly?: boolean;
  /** Why the run stopped early (a destination that stayed down, a cancel), if it did. */
  error?: string;
}

/** Rows this run did not get acknowledged (refused, or not sent because it stopped): the next run sends them. */
export function rowsWaiting(r: SyncResult): number {
  return r.failed + r.unsent;
}

/** Said the same way by the CLI and the extension; empty when every row was acknowledged. */
export function waitingSentence(r: SyncResult): string {
  const n = rowsWaiting(r);
  return n === 0 ? '' : `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'} ${n === 1 ? 'was' : 'were'} not acknowledged and ${n === 1 ? 'waits' : 'wait'} for the next run.`;
}

export interface SyncParams {
  connectionId: string;
  /** Send every row, not only the changes; in mirror mode rows that left the model are still deleted. */
  full?: boolean;
  /** Send only the rows that failed before (Retry Failed Rows). */
  failedOnly?: boolean;
}

/** A sync refused before it started (no primary key, a mapping naming a missing column...) is not a crash. */
export type SyncOutcome = { ok: true; result: SyncResult } | { ok: false; message: string };

export interface SyncProgress {
  connectionId: string;
  sent: number;
  total: number;
}

/** One row of the run history in the state schema. */
export interface SyncRunRecord {
  run: number;
  startedAt: string;
  finishedAt: string | null;
  full: boolean;
  added: number | null;
  changed: number | null;
  removed: number | null;
  failed: number | null;
  invalid: number | null;
  /** Rows of the model's result not sent because they had not changed (null for runs before this was kept). */
  skipped: number | null;
  error: string | null;
}

/** A row the destination refused, kept until a run gets it acknowledged. */
export interface FailedRowRecord {
  key: string;
  /** What the run tried: insert, update, delete, or invalid (a NULL or duplicate key). */
  op: string;
  reason: string;
  attempts: number;
  /** The last try (ISO). */
  lastAt: string;
}

/** How long a finished run took and the rows it moved (sent or refused) per second; undefined while unfinished. */
export function runPace(r: SyncRunRecord): { durationMs: number; rowsPerSecond: number } | undefined {
  if (r.finishedAt === null) return undefined;
  const durationMs = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  const moved = (r.added ?? 0) + (r.changed ?? 0) + (r.removed ?? 0) + (r.failed ?? 0);
  return { durationMs, rowsPerSecond: Math.round(moved / (Math.max(durationMs, 1) / 1000)) };
}

export type SyncHistory = { ok: true; runs: SyncRunRecord[] } | { ok: false; message: string };

export type SyncFailures = { ok: true; rows: FailedRowRecord[] } | { ok: false; message: string };

/** Engine → client: a sync ended (asked for, or run by its schedule). */
export interface SyncFinished {
  connectionId: string;
  outcome: SyncOutcome;
  scheduled: boolean;
}

/** A scheduled connection as the engine's scheduler saw it at its last check. */
export interface ScheduleStatus {
  connectionId: string;
  paused: boolean;
  /** When it is next due (ISO); null when not known yet (its history not read) or paused. */
  nextRun: string | null;
}

export interface ScheduleChecked {
  connections: ScheduleStatus[];
}

/** One row a plan shows: its key, and for an upsert the fields it would send. */
export interface PlanSample {
  key: string;
  fields?: Record<string, unknown>;
  /**
   * For an update, the fields whose value differs from what the destination last acknowledged; null
   * when the snapshot does not hold that (a row acknowledged before snapshots kept payloads).
   */
  changed?: string[] | null;
}

/** What the next run of a connection would send, row by row; nothing is sent and the snapshot stays. */
export interface SyncPlanReport {
  connection: string;
  full: boolean;
  counts: { insert: number; update: number; delete: number; unchanged: number; invalid: number };
  samples: { insert: PlanSample[]; update: PlanSample[]; delete: PlanSample[] };
  /** Deletes as a share of the rows in the snapshot (0 with an empty snapshot). */
  deletePercent: number;
  /** Rows the destination has acknowledged so far. */
  snapshotRows: number;
}

/** `text`: the report as JSON, numbers with all their digits (a sample's field may be beyond 2^53). */
export type SyncPlanOutcome = { ok: true; plan: SyncPlanReport; text: string } | { ok: false; message: string };

export interface SyncPlanParams extends SyncParams {
  /** Sample rows per kind of work (default 10). */
  limit?: number;
}

/** Said the same way by the CLI and the extension. */
export function planSentence(r: SyncPlanReport): string {
  const c = r.counts;
  return `${c.insert} to insert, ${c.update} to update, ${c.delete} to delete (${r.deletePercent}% of ${r.snapshotRows} synced), ${c.unchanged} unchanged, ${c.invalid} invalid keys. Nothing was sent.`;
}
