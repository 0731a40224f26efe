import { runPace, type SyncRunRecord } from '../../../../protocol/src/sync';
import { syncHistory } from '../../sync/syncConnection';
import { EXIT, wholeNumber, type Command } from '../command';

/** A run as `retl history --json` prints it: the record, its duration and the rows it moved per second. */
export function historyEntry(r: SyncRunRecord): SyncRunRecord & { durationMs: number | null; rowsPerSecond: number | null } {
  const pace = runPace(r);
  return { ...r, durationMs: pace?.durationMs ?? null, rowsPerSecond: pace?.rowsPerSecond ?? null };
}

export const history: Command = {
  name: 'history',
  args: 'CONNECTION_ID',
  summary: "list the connection's runs, newest first: counts (added, changed, removed, failed, invalid, skipped),\nduration, rows per second and why a run stopped (--limit N, default 20)",
  flags: ['limit'],
  async run({ values, io, withEngine }, [connectionId]) {
    const limit = values.limit === undefined ? 20 : wholeNumber(values.limit, '--limit');
    return withEngine(async (engine, signal) => {
      const runs = (await syncHistory(engine, connectionId!, signal, limit)).map(historyEntry);
      if (io.json) io.out(JSON.stringify(runs));
      else if (runs.length === 0) io.out(`${connectionId}: no runs yet.`);
      else {
        for (const r of runs) {
          const counts = `${r.added ?? 0} added, ${r.changed ?? 0} changed, ${r.removed ?? 0} removed, ${r.failed ?? 0} failed, ${r.invalid ?? 0} invalid, ${r.skipped ?? '?'} skipped`;
          const took = r.durationMs === null ? 'did not finish' : `${r.durationMs} ms, ${r.rowsPerSecond} rows/s`;
          io.out(`run ${r.run} ${r.startedAt}${r.full ? ' (full)' : ''}: ${counts}; ${took}${r.error ? `; stopped: ${r.error}` : ''}`);
        }
      }
      return EXIT.ok;
    });
  },
};
