// `npm run bench`: every benchmark in one run, on one machine state, each against its baseline run the
// same way; writes bench/results.json and bench/RESULTS.md and prints the ratios last.
// Environment: BENCH_RUNS (samples per figure, default 50), BENCH_PAGING_ROWS (default 10,000,000),
// BENCH_ACTIVATION_RUNS (extension host starts, default 3), BENCH_SYNC_RUNS (default 3), BENCH_ONLY
// (comma list of sections: preview, memory, lsp, sync, robustness, export, package, activation).
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, run } from '../scripts/ensureDeps.mjs';
import { ensurePostgres } from '../scripts/ensurePostgres.mjs';
import { machine, root } from './lib.mjs';
import { renderResults } from './renderResults.mjs';

// --render: write RESULTS.md again from results.json (after editing ANALYSIS.md), measuring nothing.
if (process.argv.includes('--render')) {
  const results = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8'));
  writeFileSync(join(root, 'bench', 'RESULTS.md'), renderResults(results).markdown);
  process.exit(0);
}

const runs = Number(process.env.BENCH_RUNS ?? 50);
const pagingRows = Number(process.env.BENCH_PAGING_ROWS ?? 10_000_000);
const activationRuns = Number(process.env.BENCH_ACTIVATION_RUNS ?? 3);
const syncRuns = Number(process.env.BENCH_SYNC_RUNS ?? 3);
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (section) => !only || only.includes(section);

ensureDeps();
// The bundles users get (minified), and out/ for the engine modules measured in process.
run('node scripts/build.mjs --production');
run('npx tsc -b');
ensurePostgres();

const { startBenchDatabase } = await import('./benchDatabase.mjs');
const { previewBench } = await import('./previewBench.mjs');
const { pagingMemoryBench } = await import('./pagingMemoryBench.mjs');
const { lspInProcessBench } = await import('./lspBench.mjs');
const { lspSideBySideBench } = await import('./lspSideBySideBench.mjs');
const { ensureBenchTools } = await import('./benchTools.mjs');
const { syncBench } = await import('./syncBench.mjs');
const { robustnessBench } = await import('./robustnessBench.mjs');
const { exportBench } = await import('./exportBench.mjs');
const { snowflakeParserBench } = await import('./snowflakeParserBench.mjs');
const { activationBench, packageBench } = await import('./packageBench.mjs');

const versions = () => {
  const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  let postgres = 'unknown';
  try {
    postgres = execSync('ls /usr/lib/postgresql', { encoding: 'utf8' }).trim().split('\n').pop();
  } catch {
    /* RETL_TEST_PG_URL: the server's own version is recorded below */
  }
  return { retlModels: ours, pg: pkg('pg'), libpgQuery: pkg('libpg-query'), vscodeLanguageserver: pkg('vscode-languageserver'), esbuild: pkg('esbuild'), postgresql: postgres };
};

const results = { date: new Date().toISOString(), machine: machine(), versions: versions(), settings: { runs, pagingRows, activationRuns, syncRuns }, sections: {}, errors: {} };

async function section(name, fn) {
  if (!wanted(name)) return;
  console.log(`\n=== bench: ${name} ===`);
  const t = performance.now();
  try {
    results.sections[name] = await fn();
  } catch (err) {
    console.error(`${name} failed: ${err.stack ?? err}`);
    results.errors[name] = String(err.message ?? err);
  }
  console.log(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

if (wanted('lsp') || wanted('sync')) ensureBenchTools();
const needsDb = ['preview', 'memory', 'lsp', 'sync', 'robustness', 'export'].some(wanted);
const pg = needsDb ? await startBenchDatabase({ pagingRows }) : undefined;
if (pg) {
  results.versions.postgresqlServer = (await pg.db.query('SHOW server_version')).rows[0].server_version;
  results.settings.dataLoadSeconds = Number(pg.loadSeconds.toFixed(1));
}
try {
  await section('preview', () => previewBench(pg, { runs }));
  await section('memory', () => pagingMemoryBench(pg, { rows: pagingRows }));
  await section('lsp', async () => ({ inProcess: await lspInProcessBench({ runs }), sideBySide: await lspSideBySideBench(pg, { runs }) }));
  await section('sync', () => syncBench(pg, { runs: syncRuns }));
  await section('robustness', () => robustnessBench(pg));
  await section('export', () => exportBench(pg, { runs: Math.min(runs, 3) }));
} finally {
  await pg?.stop();
}
await section('snowflakeParser', () => snowflakeParserBench({ runs: 3 }));
await section('package', () => packageBench());
await section('activation', () => activationBench({ runs: activationRuns }));

// A partial run (BENCH_ONLY) keeps the other sections of the last full run.
const jsonFile = join(root, 'bench', 'results.json');
if (only && existsSync(jsonFile)) {
  const previous = JSON.parse(readFileSync(jsonFile, 'utf8'));
  // Settings and versions stay those of the full run; this run is noted beside them.
  const partial = { date: results.date, only, settings: results.settings };
  Object.assign(results, { ...previous, sections: { ...previous.sections, ...results.sections }, errors: results.errors, partialRuns: [...(previous.partialRuns ?? []), partial] });
}
writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
const { markdown, summary } = renderResults(results);
writeFileSync(join(root, 'bench', 'RESULTS.md'), markdown);
console.log('\n=== ratios and goals ===');
for (const line of summary) console.log(line);
process.exit(Object.keys(results.errors).length ? 1 : 0);
