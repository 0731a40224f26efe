// Installs the npm dependencies when node_modules is missing, so `npm test` and `npm run demo` work on a
// fresh clone with no step before them. Only Node built-ins are used here: nothing is installed yet.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  if (existsSync(join(root, 'node_modules', '.package-lock.json'))) return;
  console.log('node_modules is missing: running npm ci');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

export function run(command, options = {}) {
  execSync(command, { cwd: root, stdio: 'inherit', ...options });
}
