// The integration tests start a throwaway PostgreSQL server; this makes sure its binaries are there
// (Debian's postgresql package, installed with apt-get when running as root). RETL_TEST_PG_URL skips it.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(`${base}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${base}/${versions[0]}/bin` : undefined;
}

export function ensurePostgres() {
  if (process.env.RETL_TEST_PG_URL || findPgBin()) return;
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL is not installed and this is not root: install "postgresql" or set RETL_TEST_PG_URL');
  console.log('installing PostgreSQL (Debian package postgresql) for the integration tests');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql', { stdio: 'inherit', shell: '/bin/bash' });
}
