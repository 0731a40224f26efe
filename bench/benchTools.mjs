// What the benchmarks compare against, installed into bench/.peer (gitignored), never into our
// dependencies: the peer language server, and pg-copy-streams for the plain COPY baseline of the sync bench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from './lib.mjs';

export const BENCH_TOOLS_DIR = join(root, 'bench', '.peer');
export const PEER = { name: 'sql-language-server', version: '1.7.1' };
const TOOLS = [`${PEER.name}@${PEER.version}`, 'pg-copy-streams@7.0.0'];

export function ensureBenchTools() {
  if (TOOLS.every((t) => existsSync(join(BENCH_TOOLS_DIR, 'node_modules', t.slice(0, t.lastIndexOf('@')), 'package.json')))) return;
  mkdirSync(BENCH_TOOLS_DIR, { recursive: true });
  // The peer's loose range for vscode-languageserver-protocol now resolves to a release whose `exports` map
  // hides the deep import it makes (lib/common/protocol); 3.17.5 is the last one without that map. Its
  // native sqlite3 build is skipped (--ignore-scripts): the bench uses its PostgreSQL adapter.
  const manifest = { name: 'retl-bench-tools', private: true, overrides: { 'vscode-languageserver-protocol': '3.17.5' } };
  writeFileSync(join(BENCH_TOOLS_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`installing ${TOOLS.join(', ')} into bench/.peer`);
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...TOOLS], { cwd: BENCH_TOOLS_DIR, stdio: 'inherit' });
}

export const requireBenchTool = createRequire(join(BENCH_TOOLS_DIR, 'package.json'));
