import { EXIT, type Command } from '../command';

export const verify: Command = {
  name: 'verify',
  args: 'CREDENTIALS_ID',
  summary: 'run the three checks: connection, list schemas, state schema',
  async run({ io, withEngine }, [credentialsId]) {
    return withEngine(async (engine, signal) => {
      const result = await engine.verify(credentialsId!, (checks) => {
        if (io.json) return;
        const running = checks.find((c) => c.status === 'running');
        if (running) io.err(`… ${running.title}`);
      }, signal);
      if (io.json) {
        io.out(JSON.stringify({
          credentials: result.credentials,
          checks: result.checks.map((c) => ({ id: c.id, status: c.status, message: c.message ?? null, warning: c.warning ?? null, remediation: c.remediation ?? null, ms: c.ms ?? null })),
        }, null, 2));
      } else {
        for (const c of result.checks) {
          const mark = c.status === 'passed' ? 'ok  ' : c.status === 'failed' ? 'FAIL' : 'skip';
          io.out(`${mark} ${c.title}${c.ms !== undefined && c.status !== 'skipped' ? ` (${c.ms} ms)` : ''}${c.message ? `: ${c.message}` : ''}`);
          if (c.warning) io.out(`warn ${c.warning}`);
          if (c.remediation) io.out(`     Run as an administrator:\n${c.remediation.split('\n').map((l) => `       ${l}`).join('\n')}`);
        }
      }
      return result.ok ? EXIT.ok : EXIT.checksFailed;
    });
  },
};
