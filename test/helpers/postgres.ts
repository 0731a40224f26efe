// A throwaway PostgreSQL server for the tests: its own cluster in a temp folder, on a free loopback port,
// with scram-sha-256 passwords, stopped after the run. RETL_TEST_PG_URL (an admin URL) uses a server of
// your own instead.
import { execFileSync, execSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  admin(database?: string): Promise<pg.Client>;
  stop(): void;
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(`${base}/${v}/bin/initdb`)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('PostgreSQL binaries not found (npm test installs the Debian package when run as root)');
  return `${base}/${versions[0]}/bin`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let shared: Promise<TestPostgres> | undefined;
const onStop: (() => void)[] = [];

/** Caches built on the shared server (databases, roles) are dropped with it. */
export function onSharedPostgresStop(fn: () => void): void {
  onStop.push(fn);
}

/** One server for the whole run. */
export function sharedPostgres(): Promise<TestPostgres> {
  shared ??= process.env.RETL_TEST_PG_URL ? fromUrl(process.env.RETL_TEST_PG_URL) : startCluster();
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  shared = undefined;
  s?.stop();
  for (const fn of onStop) fn();
}

function clientFor(host: string, port: number, user: string, password: string) {
  return async (database = 'postgres') => {
    const c = new pg.Client({ host, port, user, password, database });
    await c.connect();
    return c;
  };
}

async function fromUrl(url: string): Promise<TestPostgres> {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 5432);
  const adminUser = decodeURIComponent(u.username);
  const adminPassword = decodeURIComponent(u.password);
  return { host, port, adminUser, adminPassword, admin: clientFor(host, port, adminUser, adminPassword), stop: () => undefined };
}

async function startCluster(): Promise<TestPostgres> {
  const bin = pgBin();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'retl-pg-'));
  const data = path.join(dir, 'data');
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${adminPassword}\n`);
  // initdb refuses to run as root: the cluster belongs to the postgres OS user then.
  const asOwner = (cmd: string) =>
    root ? execFileSync('su', ['postgres', '-s', '/bin/bash', '-c', cmd], { stdio: 'pipe' }) : execSync(cmd, { stdio: 'pipe', shell: '/bin/bash' });
  if (root) {
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  }
  asOwner(`${bin}/initdb -D ${data} -A scram-sha-256 --pwfile=${pwfile} -U postgres --no-sync >/dev/null`);
  const port = await freePort();
  asOwner(
    `${bin}/pg_ctl -D ${data} -w -t 60 -l ${dir}/log -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" start >/dev/null`,
  );
  const stop = () => {
    try {
      asOwner(`${bin}/pg_ctl -D ${data} -m immediate stop >/dev/null 2>&1`);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { host: '127.0.0.1', port, adminUser: 'postgres', adminPassword, admin: clientFor('127.0.0.1', port, 'postgres', adminPassword), stop };
}
