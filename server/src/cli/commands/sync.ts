import { rowsWaiting, waitingSentence } from '../../../../protocol/src/sync';
import { syncConnection } from '../../sync/syncConnection';
import { EXIT, type Command } from '../command';

export const sync: Command = {
  name: 'sync',
  args: 'CONNECTION_ID',
  summary: "send the model's changed rows to the connection's destination (--full: every row); exit 1 when a\nrow failed or the run stopped",
  flags: ['full'],
  async run({ values, io, withEngine }, [connectionId]) {
    return withEngine(async (engine, signal) => {
      const result = await syncConnection(engine, connectionId!, {
        full: values.full ?? false,
        signal,
        onProgress: (sent, total) => io.json || io.err(`… ${sent} of ${total} rows`),
      });
      if (io.json) {
        const { connection, run, added, changed, removed, failed, invalid, unsent, durationMs, error } = result;
        io.out(JSON.stringify({ connection, run, added, changed, removed, failed, invalid, unsent, durationMs, ...(error ? { error } : {}) }));
      } else {
        io.out(`${result.connection}: run ${result.run}${result.full ? ' (full)' : ''}: ${result.added} added, ${result.changed} changed, ${result.removed} removed, ${result.failed} failed, ${result.invalid} invalid keys (${result.durationMs} ms)`);
        if (result.error) io.out(`stopped: ${result.error}`);
        if (rowsWaiting(result) > 0) io.out(waitingSentence(result));
      }
      return rowsWaiting(result) > 0 || result.invalid > 0 || result.error ? EXIT.checksFailed : EXIT.ok;
    });
  },
};
