import { syncFailures } from '../../sync/syncConnection';
import { EXIT, wholeNumber, type Command } from '../command';

export const failures: Command = {
  name: 'failures',
  args: 'CONNECTION_ID',
  summary: "list the rows the connection's destination refused and no run has got acknowledged since, with the\nreason, attempts and last try (--limit N, default 1000); `retl sync CONNECTION_ID --failed-only` retries them",
  flags: ['limit'],
  async run({ values, io, withEngine }, [connectionId]) {
    const limit = values.limit === undefined ? 1000 : wholeNumber(values.limit, '--limit');
    return withEngine(async (engine, signal) => {
      const rows = await syncFailures(engine, connectionId!, signal, limit);
      if (io.json) io.out(JSON.stringify(rows));
      else if (rows.length === 0) io.out(`${connectionId}: no failed rows.`);
      else for (const r of rows) io.out(`${r.key}\t${r.op}\t${r.attempts}×\t${r.lastAt}\t${r.reason}`);
      return EXIT.ok;
    });
  },
};
