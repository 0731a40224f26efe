// Installs code-server (the real VS Code, served to a browser) into a cached tools folder and starts it.
// The recipe was checked on these machines (no download of VS Code itself is possible here): npm install
// of code-server with scripts off, then its bundled VS Code's dependencies, ripgrep from Debian, rebuilt
// native modules. Every step is idempotent; a marker file says the install finished.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const toolsDir = process.env.RETL_TOOLS_DIR ?? join(homedir(), '.cache', 'retl-models', `code-server-${CODE_SERVER_VERSION}`);
const marker = join(toolsDir, '.installed');

function sh(command, cwd) {
  execSync(command, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_yes: 'true' } });
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Debian packages the harness needs: Chromium to drive the workbench, ripgrep and krb5 headers for code-server. */
export function ensureDebianPackages(packages = ['chromium', 'libkrb5-dev', 'ripgrep']) {
  const missing = packages.filter((p) => {
    try {
      execSync(`dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q "install ok installed"`, { shell: '/bin/bash' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (!isRoot()) throw new Error(`missing Debian packages: ${missing.join(' ')} (install them with apt-get as root)`);
  console.log(`installing Debian packages: ${missing.join(' ')}`);
  sh('apt-get update -qq');
  sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`);
}

export function ensureCodeServer() {
  ensureDebianPackages();
  const bin = join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (existsSync(marker) && existsSync(bin)) return bin;
  console.log(`installing code-server ${CODE_SERVER_VERSION} into ${toolsDir} (once; about a minute)`);
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
 * Starts code-server on loopback in its own process group (so stopping it stops every child), with a
 * throwaway user-data and extensions folder. Resolves once it answers HTTP.
 */
export async function startCodeServer({ port, workspace, userDataDir, extensionsDir, log = 'ignore', extraArgs = [] }) {
  const bin = ensureCodeServer();
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2),
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
