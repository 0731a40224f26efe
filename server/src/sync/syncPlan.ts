// A sync plan: what the next run of a connection would send, row by row, computed in the warehouse the
// way a run computes it, and then thrown away. Nothing is sent, the snapshot does not move, no run is
// recorded. It takes the connection's lock like a run (a plan while a run goes is refused).
import type { PlanSample, SyncPlanReport } from '../../../protocol/src/sync';
import { parsePayload } from './payloadJson';
import type { SyncDialect, WorkOp } from './syncDialect';
import { underLock, workSpec, type SyncPlan } from './syncRunner';

export const DEFAULT_PLAN_LIMIT = 10;

export interface PlanOptions {
  full?: boolean;
  signal: AbortSignal;
  /** Sample rows per kind of work. */
  limit?: number;
}

export async function planSync(plan: Omit<SyncPlan, 'openDestination'>, options: PlanOptions): Promise<SyncPlanReport> {
  const limit = options.limit ?? DEFAULT_PLAN_LIMIT;
  return underLock(plan, options, async (run) => {
    const { dialect } = run;
    try {
      await run.cancellable(() => dialect.computeWork(workSpec(plan, run)));
      const invalid = (await dialect.invalidRows()).length;
      const counts = await dialect.opCounts();
      const { modelRows, snapshotRows } = await dialect.sizes();
      const insert = counts.insert ?? 0;
      const update = counts.update ?? 0;
      const remove = counts.delete ?? 0;
      return {
        connection: plan.connection.id,
        full: run.full,
        counts: { insert, update, delete: remove, unchanged: Math.max(0, modelRows - invalid - insert - update), invalid },
        samples: { insert: await samplesOf(dialect, 'insert', limit), update: await samplesOf(dialect, 'update', limit), delete: await samplesOf(dialect, 'delete', limit) },
        deletePercent: snapshotRows === 0 ? 0 : Math.round((remove / snapshotRows) * 10_000) / 100,
        snapshotRows,
      };
    } finally {
      await dialect.dropWork().catch(() => undefined);
    }
  });
}

async function samplesOf(dialect: SyncDialect, op: WorkOp, limit: number): Promise<PlanSample[]> {
  if (limit <= 0) return [];
  return (await dialect.samples(op, limit)).map((r) => {
    if (op === 'delete') return { key: r.key };
    const fields = parsePayload(r.payload ?? '{}');
    if (op === 'insert') return { key: r.key, fields };
    return { key: r.key, fields, changed: r.acknowledged === null ? null : changedFields(parsePayload(r.acknowledged), fields) };
  });
}

/** The fields whose value differs (compared as JSON), new and removed ones included, in name order. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => !(n in before) || !(n in after) || JSON.stringify(before[n]) !== JSON.stringify(after[n]));
}
