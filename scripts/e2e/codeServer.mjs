// Installs code-server (the real VS Code, served to a browser) into a cached tools folder and starts it.
// The recipe was checked on these machines (no download of VS Code itself is possible here): npm install
// of code-server with scripts off, then its bundled VS Code's dependencies, ripgrep from Debian, rebuilt
// native modules. Every step is idempotent; a marker file says the install finished.
// `quiet` (npm run demo) keeps the apt and npm output in memory and shows it only when a step fails.
import { execFileSync, execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const toolsDir = process.env.RETL_TOOLS_DIR ?? join(homedir(), '.cache', 'retl-models', `code-server-${CODE_SERVER_VERSION}`);
const marker = join(toolsDir, '.installed');

/** A failed command run with its output captured; `log` holds that output. */
export class StepError extends Error {
  constructor(message, log) {
    super(message);
    this.log = log;
  }
}

function shell(command, cwd, quiet = false) {
  const env = { ...process.env, npm_config_yes: 'true' };
  if (!quiet) {
    execSync(command, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env });
    return;
  }
  try {
    execSync(command, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    throw new StepError(`${command} failed (${err.status ?? err.signal})`, `${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Debian packages code-server needs (ripgrep, krb5 headers); the harness adds Chromium to drive the workbench. */
export function ensureDebianPackages(packages = ['libkrb5-dev', 'ripgrep'], { quiet = false } = {}) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  if (!isRoot()) throw new Error(`missing Debian packages: ${missing.join(' ')} (install them with apt-get as root)`);
  if (!quiet) console.log(`installing Debian packages: ${missing.join(' ')}`);
  shell('apt-get update -qq', undefined, quiet);
  shell(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`, undefined, quiet);
}

export function missingDebianPackages(packages) {
  return packages.filter((p) => {
    try {
      execSync(`dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q "install ok installed"`, { shell: '/bin/bash' });
      return false;
    } catch {
      return true;
    }
  });
}

const codeServerBin = join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export function codeServerInstalled() {
  return existsSync(marker) && existsSync(codeServerBin) && missingDebianPackages(['libkrb5-dev', 'ripgrep']).length === 0;
}

export function ensureCodeServer({ quiet = false } = {}) {
  ensureDebianPackages(undefined, { quiet });
  const bin = codeServerBin;
  if (existsSync(marker) && existsSync(bin)) return bin;
  if (!quiet) console.log(`installing code-server ${CODE_SERVER_VERSION} into ${toolsDir} (once; about a minute)`);
  const sh = (command, cwd) => shell(command, cwd, quiet);
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(join(toolsDir, 'package.json'))) writeFileSync(join(toolsDir, 'package.json'), '{"name":"retl-tools","private":true}\n');
  sh(`npm install --no-audit --no-fund --ignore-scripts code-server@${CODE_SERVER_VERSION}`, toolsDir);
  const vscodeDir = join(toolsDir, 'node_modules', 'code-server', 'lib', 'vscode');
  sh('npm install --no-audit --no-fund --unsafe-perm --omit=dev --ignore-scripts', vscodeDir);
  mkdirSync(join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin'), { recursive: true });
  sh('cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg', vscodeDir);
  sh('npm rebuild --unsafe-perm', vscodeDir);
  sh('ln -sfn node_modules node_modules.asar', vscodeDir);
  sh('ln -sf code-linux.sh code-server', join(vscodeDir, 'bin', 'remote-cli'));
  sh('ln -sf browser-linux.sh browser.sh', join(vscodeDir, 'bin', 'helpers'));
  sh('npm rebuild argon2 --unsafe-perm', toolsDir);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return bin;
}

/** Installs a .vsix into an extensions folder, as `code --install-extension` does; `--force` replaces the same version. */
export function installExtension({ vsix, extensionsDir, userDataDir }) {
  const bin = ensureCodeServer({ quiet: true });
  try {
    execFileSync(process.execPath, [bin, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new StepError(`installing ${vsix} failed (${err.status ?? err.signal})`, `${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on loopback in its own process group (so stopping it stops every child), with the
 * given user-data and extensions folder. User settings the folder already has (the demo's) are kept,
 * except the ones the harness needs. Resolves once it answers HTTP.
 */
export async function startCodeServer({ port, workspace, userDataDir, extensionsDir, log = 'ignore', extraArgs = [] }) {
  const bin = ensureCodeServer();
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  let kept = {};
  try {
    kept = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {
    // none yet, or with comments: the harness's settings alone
  }
  writeFileSync(
    settingsFile,
    JSON.stringify({ ...kept, 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2),
  );
  const child = spawn(
    process.execPath,
    [bin, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...extraArgs, workspace],
    { detached: true, stdio: ['ignore', log, log] },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return { child, stop, url: `http://127.0.0.1:${port}` };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error('code-server did not answer within 60 s');
}
