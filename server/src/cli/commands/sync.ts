import { rowsWaiting, waitingSentence } from '../../../../protocol/src/sync';
import { syncConnection } from '../../sync/syncConnection';
import { EXIT, UsageError, type Command } from '../command';

export const sync: Command = {
  name: 'sync',
  args: 'CONNECTION_ID',
  summary:
    "send the model's changed rows to the connection's destination (--full: every row; --failed-only: only\nthe rows that failed before); exit 1 when a row failed or the run stopped. A paused connection runs too",
  flags: ['full', 'failed-only'],
  async run({ values, io, withEngine }, [connectionId]) {
    if (values.full && values['failed-only']) throw new UsageError('--full sends every row and --failed-only only the failed ones: give one of them.');
    return withEngine(async (engine, signal) => {
      const result = await syncConnection(engine, connectionId!, {
        full: values.full ?? false,
        failedOnly: values['failed-only'] ?? false,
        signal,
        onProgress: (sent, total) => io.json || io.err(`… ${sent} of ${total} rows`),
      });
      if (result.paused) io.err(`${result.connection} is paused: its schedule does not run it; this run was asked for.`);
      if (io.json) {
        const { connection, run, added, changed, removed, failed, invalid, unchanged, unsent, durationMs, paused, failedOnly, error } = result;
        io.out(JSON.stringify({ connection, run, added, changed, removed, failed, invalid, unchanged, unsent, durationMs, ...(paused ? { paused } : {}), ...(failedOnly ? { failedOnly } : {}), ...(error ? { error } : {}) }));
      } else {
        io.out(`${result.connection}: run ${result.run}${result.full ? ' (full)' : result.failedOnly ? ' (failed rows only)' : ''}: ${result.added} added, ${result.changed} changed, ${result.removed} removed, ${result.failed} failed, ${result.invalid} invalid keys, ${result.unchanged} unchanged (${result.durationMs} ms)`);
        if (result.error) io.out(`stopped: ${result.error}`);
        if (rowsWaiting(result) > 0) io.out(waitingSentence(result));
      }
      return rowsWaiting(result) > 0 || result.invalid > 0 || result.error ? EXIT.checksFailed : EXIT.ok;
    });
  },
};
