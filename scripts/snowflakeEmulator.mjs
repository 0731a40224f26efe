// A Snowflake EMULATOR for the tests (not Snowflake): fakesnow runs Snowflake SQL on DuckDB, and
// scripts/snowflakeEmulator/emulator.py answers in the JSON result format the Node snowflake-sdk reads.
// `node scripts/snowflakeEmulator.mjs --port PORT` installs what it needs (a Python venv of ours with the
// pinned packages), prints `ready http://127.0.0.1:PORT` once it accepts connections and runs until killed;
// all sessions of one process share one database. Tests call startSnowflakeEmulator().
import { execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), 'snowflakeEmulator');
const requirements = join(here, 'requirements.txt');
const venv = join(process.env.RETL_TOOLS_DIR ?? join(homedir(), '.cache', 'retl-models'), 'snowflake-emulator-venv');
const python = join(venv, 'bin', 'python');

/** Python 3 with its venv module (Debian splits it into python3-venv), installed with apt-get as root. */
function ensurePythonVenv() {
  const works = () => spawnSync('python3', ['-c', 'import ensurepip, venv'], { stdio: 'ignore' }).status === 0;
  if (works()) return;
  if (process.getuid?.() !== 0) throw new Error('the Snowflake emulator needs Python 3 with venv: install "python3-venv" (Debian) or run as root');
  console.log('installing Python 3 with venv (Debian packages python3, python3-venv) for the Snowflake emulator');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv', { stdio: 'inherit', shell: '/bin/bash' });
}

/** The venv with the pinned packages, made or brought up to date when requirements.txt changed. */
export function ensureEmulator() {
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const marker = join(venv, '.requirements-sha256');
  if (existsSync(python) && existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return python;
  console.log(`installing the Snowflake emulator (fakesnow) into ${venv}`);
  ensurePythonVenv();
  execFileSync('python3', ['-m', 'venv', '--clear', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], { stdio: 'inherit' });
  writeFileSync(marker, wanted);
  return python;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts an emulator on a free port; resolves once it accepts connections. */
export async function startSnowflakeEmulator({ port } = {}) {
  const py = ensureEmulator();
  const listenOn = port ?? (await freePort());
  const child = spawn(py, [join(here, 'emulator.py'), '--port', String(listenOn)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Snowflake emulator did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      const m = /ready (http:\/\/\S+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Snowflake emulator exited (code ${code}): ${stderr}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : undefined;
  const emulator = await startSnowflakeEmulator({ port });
  console.log(`ready ${emulator.url}`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
