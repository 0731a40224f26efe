// `npm run demo`: the extension installed from its .vsix into a real VS Code (code-server), as a user would
// have it, on a sample workspace that uses the embedded demo warehouse. Installs what it needs, one line
// per step (a step's own output is shown only when it fails), prints the URL, runs until Ctrl-C.
// The e2e harness (scripts/e2e) runs the extension from this checkout instead: its tests need that.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { root } from './ensureDeps.mjs';
import { ensureDemoSettings } from './demoWorkspace.mjs';
import { CODE_SERVER_VERSION, StepError, codeServerInstalled, ensureCodeServer, installExtension, startCodeServer } from './e2e/codeServer.mjs';

const port = Number(process.env.RETL_DEMO_PORT ?? 8080);
const home = process.env.RETL_DEMO_DIR ?? join(homedir(), '.cache', 'retl-models', 'demo');
const workspace = join(home, 'workspace');
const userDataDir = join(home, 'user-data');
const extensionsDir = join(home, 'extensions');
const vsix = join(home, 'retl-models.vsix');
// What the installed copy was built from; a different build is installed again.
const installedMarker = join(extensionsDir, '.retl-models-build');

async function step(label, fn) {
  process.stdout.write(`${label}… `);
  try {
    const value = await fn();
    console.log('done');
    return value;
  } catch (err) {
    console.log('failed');
    if (err instanceof StepError || err.stdout || err.stderr) console.error(`\n${err.log ?? `${err.stdout ?? ''}${err.stderr ?? ''}`}`.trimEnd());
    console.error(`\n${err.message}`);
    process.exit(1);
  }
}

/** Runs a command with its output kept, to be shown only if it fails. */
function quiet(command) {
  execSync(command, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** A hash of every file the .vsix holds, so an unchanged build is not installed again. */
function buildFingerprint() {
  const files = execSync('npx vsce ls --no-dependencies', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
  const hash = createHash('sha256').update(CODE_SERVER_VERSION);
  for (const f of files) hash.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  return hash.digest('hex');
}

const installed = () => existsSync(extensionsDir) && readdirSync(extensionsDir).some((n) => n.startsWith('retl-models.retl-models-'));

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  await step('Installing npm dependencies (npm ci)', () => quiet('npm ci --no-audit --no-fund'));
}
if (!codeServerInstalled()) {
  await step(`Installing code-server ${CODE_SERVER_VERSION} (once, about a minute)`, () => ensureCodeServer({ quiet: true }));
}
mkdirSync(home, { recursive: true });
await step('Building the extension (.vsix)', () => quiet(`node scripts/package.mjs --out ${JSON.stringify(vsix)}`));
const fingerprint = buildFingerprint();
const previous = existsSync(installedMarker) ? readFileSync(installedMarker, 'utf8').trim() : '';
if (previous !== fingerprint || !installed()) {
  await step('Installing it into code-server', () => {
    installExtension({ vsix, extensionsDir, userDataDir });
    writeFileSync(installedMarker, `${fingerprint}\n`);
  });
} else {
  console.log('Installing it into code-server… unchanged since the last run, kept');
}
if (!existsSync(join(workspace, 'retl.yaml'))) {
  await step('Creating the sample workspace', () => {
    mkdirSync(workspace, { recursive: true });
    quiet(`node bin/retl.js init --demo --dir ${JSON.stringify(workspace)}`);
  });
}
// Also for a workspace made by an older demo, which lacked it.
if (ensureDemoSettings(workspace)) console.log('Workspace settings: auto-save off… done');

// VS Code opens a walkthrough by itself only for an extension installed from the running window, and the
// Welcome page at start-up opens VS Code's own "Setup" walkthrough instead of ours: so the text says where it is.
const cs = await step('Starting code-server', () => startCodeServer({ port, workspace, userDataDir, extensionsDir, log: 'ignore' }));
const url = `${cs.url}/?folder=${encodeURIComponent(workspace)}`;
console.log(`
Reverse ETL Models demo is running.

  Open: ${url}

First: open the Reverse ETL view in the activity bar, click a model (Active users), then Run Query.
A guided tour: F1, "Welcome: Open Walkthrough...", then "Get started with Reverse ETL".

Workspace: ${workspace} (sample models on the embedded demo warehouse)
Press Ctrl-C to stop.`);
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
