// A throwaway workspace for the engine process: retl.yaml with the bench database's credentials (the
// password comes from an environment variable, as for any user) and the models the benches open.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, startLanguageServer } from './lib.mjs';

export const PASSWORD_ENV = 'RETL_BENCH_PG_PASSWORD';

/**
 * `extra.credentials`: more credentials entries (YAML list items); `extra.sections`: top-level sections
 * (destinations, connections) appended as they are.
 */
export function benchWorkspace(pg, models, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'retl-bench-'));
  mkdirSync(join(dir, 'models'));
  const lines = [
    'version: 1',
    'credentials:',
    '  - id: bench',
    '    type: postgres',
    `    host: ${pg.host}`,
    `    port: ${pg.port}`,
    `    database: ${pg.database}`,
    `    user: ${pg.user}`,
    `    passwordEnv: ${PASSWORD_ENV}`,
    '    ssl: disable',
    ...(extra.credentials ? [extra.credentials.trimEnd()] : []),
    'models:',
  ];
  const uris = {};
  for (const [id, { sql, primaryKey }] of Object.entries(models)) {
    writeFileSync(join(dir, 'models', `${id}.sql`), sql);
    uris[id] = pathToFileURL(join(dir, 'models', `${id}.sql`)).toString();
    lines.push(`  - id: ${id}`, `    name: ${id}`, '    credentials: bench', `    query: models/${id}.sql`);
    if (primaryKey) lines.push(`    primaryKey: ${primaryKey}`);
  }
  writeFileSync(join(dir, 'retl.yaml'), `${lines.join('\n')}\n${extra.sections ?? ''}`);
  return { dir, uris, env: { [PASSWORD_ENV]: pg.password } };
}

/**
 * The engine process (dist/server.js) on that workspace, started as the extension starts it.
 * `execArgv`: Node options before the script (a bench's memory probe).
 */
export function startEngine(ws, { execArgv = [] } = {}) {
  return startLanguageServer({
    command: process.execPath,
    args: [...execArgv, join(root, 'dist', 'server.js'), '--node-ipc'],
    cwd: ws.dir,
    env: ws.env,
    initializationOptions: { demoDataDir: join(ws.dir, '.retl', 'demo') },
  });
}
