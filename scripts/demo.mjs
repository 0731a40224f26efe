// `npm run demo`: the extension in a real VS Code (code-server) on a sample workspace that uses the
// embedded demo warehouse. Installs what it needs, prints the URL, runs until Ctrl-C.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureDeps, root, run } from './ensureDeps.mjs';

ensureDeps();
run('node scripts/build.mjs');
const { startCodeServer } = await import('./e2e/codeServer.mjs');

const port = Number(process.env.RETL_DEMO_PORT ?? 8080);
const home = process.env.RETL_DEMO_DIR ?? join(homedir(), '.cache', 'retl-models', 'demo');
const workspace = join(home, 'workspace');
if (!existsSync(join(workspace, 'retl.yaml'))) {
  mkdirSync(workspace, { recursive: true });
  run(`node bin/retl.js init --demo --dir "${workspace}"`);
}
// The extension runs from this checkout as a development extension: every `npm run build` shows up on reload.
const cs = await startCodeServer({
  port,
  workspace,
  userDataDir: join(home, 'user-data'),
  extensionsDir: join(home, 'extensions'),
  log: 'ignore',
});
const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`]]));
const url = `${cs.url}/?folder=${encodeURIComponent(workspace)}&payload=${payload}`;
console.log(`\nReverse ETL Models demo is running.\n\n  Open: ${url}\n\nWorkspace: ${workspace} (sample models on the embedded demo warehouse)\nPress Ctrl-C to stop.`);
const stop = () => {
  cs.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cs.child.on('exit', (code) => {
  console.log(`code-server exited (${code})`);
  process.exit(code ?? 1);
});
