import type { SyncOutcome } from '../../../../protocol/src/sync';
import { classify } from '../../errors';
import { ran, runDueConnections, type ScheduleCheck } from '../../sync/scheduler';
import { syncConnection } from '../../sync/syncConnection';
import { EXIT, type Command } from '../command';

export const schedule: Command = {
  name: 'schedule',
  args: '',
  summary:
    'sync the connections whose schedule (an interval such as 15m, 1h, 1d, or a cron expression) is due,\nchecking every minute until Ctrl-C; paused connections are listed as skipped\n(--once: check once and exit, for cron)',
  flags: ['once'],
  async run({ values, io, withEngine }) {
    return withEngine(async (engine, signal) => {
      let failed = false;
      const report = (checks: ScheduleCheck[]) => {
        const at = new Date().toISOString();
        for (const check of checks) {
          const next = check.nextRun === undefined ? {} : { nextRun: new Date(check.nextRun).toISOString() };
          if (!ran(check)) {
            if (io.json) io.out(JSON.stringify({ at, connection: check.connectionId, skipped: check.skipped, ...next }));
            else io.out(`${at} ${check.connectionId}: ${check.skipped}${next.nextRun ? `, next run ${next.nextRun}` : ''}`);
            continue;
          }
          const { connectionId, outcome } = check;
          const bad = !outcome.ok || !!outcome.result.error || outcome.result.failed > 0 || outcome.result.invalid > 0;
          failed ||= bad;
          if (io.json) io.out(JSON.stringify({ at, ...(outcome.ok ? outcome.result : { connection: connectionId, error: outcome.message }), ...next }));
          else io.out(`${at} ${connectionId}: ${outcome.ok ? `${outcome.result.added} added, ${outcome.result.changed} changed, ${outcome.result.removed} removed, ${outcome.result.failed} failed${outcome.result.error ? ` (stopped: ${outcome.result.error})` : ''}` : outcome.message}${next.nextRun ? `; next run ${next.nextRun}` : ''}`);
        }
      };
      const run = async (id: string): Promise<SyncOutcome> => {
        try {
          return { ok: true, result: await syncConnection(engine, id, { signal }) };
        } catch (err) {
          // One connection's refusal is reported and the others still run.
          const failure = classify(err);
          if (failure) return { ok: false, message: failure.message };
          throw err;
        }
      };
      for (;;) {
        report(await runDueConnections(engine, run, signal));
        if (values.once || signal.aborted) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (signal.aborted) break;
        await engine.store.load(); // retl.yaml may have changed since the last check
      }
      return failed ? EXIT.checksFailed : EXIT.ok;
    });
  },
};
