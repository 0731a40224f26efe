// `npm run test:e2e` (and part of `npm test`): the scenarios in the real VS Code. A throwaway PostgreSQL
// server (the same helper as the integration tests) backs the scenarios that type real credentials.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, root, run } from '../ensureDeps.mjs';

export const SCENARIOS = (process.env.RETL_E2E_ONLY ?? 'fresh-demo,postgres-password,wrong-password,lifecycle,sync,export,desktop-smoke').split(',');

const LIFECYCLE_CONNECTIONS = `connections:
  - id: active_users_to_crm
    model: active_users
`;

// A model slow enough to cancel its export midway: the demo warehouse (PGlite) sleeps row by row.
const SLOW_MODEL = `  - id: slow_series
    name: Slow series
    credentials: demo
    query: models/slow_series.sql
connections: []
`;

export async function runScenarios() {
  const { ensureCodeServer, ensureDebianPackages } = await import('./codeServer.mjs');
  const { runE2E } = await import('./driver.mjs');
  const { ensurePostgres } = await import('../ensurePostgres.mjs');
  ensureCodeServer();
  ensureDebianPackages(['chromium']);
  ensurePostgres();
  const require = createRequire(import.meta.url);
  const { pgFixture } = require(join(root, 'out/test/integration/pgFixture.js'));
  const { stopSharedPostgres } = require(join(root, 'out/test/helpers/postgres.js'));
  const { initWorkspace } = require(join(root, 'out/server/src/init/starterWorkspace.js'));
  try {
    const fx = await pgFixture();
    const pg = { host: fx.server.host, port: fx.server.port, database: fx.database, user: fx.reader.user, password: fx.reader.password };
    return await runE2E({
      root,
      scenarios: SCENARIOS,
      env: { RETL_E2E: '1', RETL_E2E_PG: JSON.stringify(pg) },
      prepare: async (name, dir) => {
        if (name === 'desktop-smoke' || name === 'sync') await initWorkspace(dir, true);
        if (name === 'postgres-password') {
          // The language client's standard trace, as a user debugging would turn it on: no secret may reach it.
          const { mkdirSync } = await import('node:fs');
          mkdirSync(join(dir, '.vscode'), { recursive: true });
          writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'retl.trace.server': 'verbose' }, null, 2));
        }
        if (name === 'export') {
          await initWorkspace(dir, true);
          const { readFileSync } = await import('node:fs');
          const yaml = join(dir, 'retl.yaml');
          writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('connections: []\n', SLOW_MODEL));
          writeFileSync(join(dir, 'models', 'slow_series.sql'), 'SELECT g, pg_sleep(0.001) FROM generate_series(1, 200000) AS g\n');
        }
        if (name === 'lifecycle') {
          await initWorkspace(dir, true);
          const yaml = join(dir, 'retl.yaml');
          const { readFileSync } = await import('node:fs');
          writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('connections: []\n', LIFECYCLE_CONNECTIONS));
        }
      },
    });
  } finally {
    await stopSharedPostgres();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureDeps();
  run('node scripts/build.mjs');
  run('npx tsc -b');
  const s = await runScenarios();
  console.log(`\n${s.passed} passed, ${s.failed} failed`);
  process.exit(s.failed > 0 || s.passed === 0 ? 1 : 0);
}
