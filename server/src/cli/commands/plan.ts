import { planSentence, type SyncPlanReport } from '../../../../protocol/src/sync';
import { payloadJson } from '../../sync/payloadJson';
import { planConnection } from '../../sync/syncConnection';
import { DEFAULT_PLAN_LIMIT } from '../../sync/syncPlan';
import { EXIT, UsageError, wholeNumber, type Command } from '../command';

export const plan: Command = {
  name: 'plan',
  args: 'CONNECTION_ID',
  summary: `show what the next sync would send, row by row (--limit N samples per operation, default ${DEFAULT_PLAN_LIMIT}); nothing\nis sent; --fail-on-delete-over PCT exits 1 when it would delete more than PCT% of the synced rows`,
  flags: ['full', 'limit', 'fail-on-delete-over'],
  async run({ values, io, withEngine }, [connectionId]) {
    const limit = values.limit === undefined ? DEFAULT_PLAN_LIMIT : wholeNumber(values.limit, '--limit');
    const failOver = values['fail-on-delete-over'] === undefined ? undefined : percent(values['fail-on-delete-over']);
    return withEngine(async (engine, signal) => {
      const report = await planConnection(engine, connectionId!, { full: values.full ?? false, signal, limit });
      if (io.json) io.out(payloadJson(report));
      else for (const line of planLines(report)) io.out(line);
      // An empty snapshot never trips: a first run deletes nothing.
      const tripped = failOver !== undefined && report.snapshotRows > 0 && report.deletePercent > failOver;
      if (tripped) io.err(`${report.connection}: the next run would delete ${report.deletePercent}% of the synced rows (more than ${failOver}%).`);
      return tripped ? EXIT.checksFailed : EXIT.ok;
    });
  },
};

function percent(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n > 100) throw new UsageError(`--fail-on-delete-over takes a percentage from 0 to 100, not "${text}".`);
  return n;
}

function planLines(r: SyncPlanReport): string[] {
  const lines = [`${r.connection}${r.full ? ' (full)' : ''}: ${planSentence(r)}`];
  for (const s of r.samples.insert) lines.push(`  insert ${s.key} ${payloadJson(s.fields)}`);
  for (const s of r.samples.update) lines.push(`  update ${s.key} ${payloadJson(s.fields)} changed: ${s.changed ? s.changed.join(', ') || '(none)' : 'unknown (acknowledged before snapshots kept values)'}`);
  for (const s of r.samples.delete) lines.push(`  delete ${s.key}`);
  return lines;
}
