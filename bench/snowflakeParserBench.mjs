// The Snowflake parser (polyglot-sql, wasm): what loading it costs the engine, measured in child
// processes running the built bundle dist/polyglot.js the .vsix ships: load time (require + init), the
// process's RSS before and after with one Snowflake model checked, and diagnostics of a 2,000-line
// Snowflake model (p50/p95). Its share of the .vsix is in the package section.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from './lib.mjs';

const probe = `
const path = require('node:path');
const rss = () => process.memoryUsage().rss;
const before = rss();
const t0 = performance.now();
const p = require(path.join(process.argv[1], 'dist', 'polyglot.js'));
(async () => {
  await p.init();
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const first = p.parse('SELECT u.ID, o.TOTAL FROM PUBLIC.USERS u JOIN PUBLIC.ORDERS o ON o.USER_ID = u.ID QUALIFY ROW_NUMBER() OVER (PARTITION BY u.ID ORDER BY o.TOTAL) = 1', 'snowflake');
  const firstParseMs = performance.now() - t1;
  if (!first.success) throw new Error('parse failed');
  const after = rss();
  const parts = [];
  const model = require(path.join(process.argv[1], 'bench', 'snowflakeParserModel.cjs'))(0);
  const times = [];
  for (let i = 0; i < 9; i++) { const t = performance.now(); p.parse(model, 'snowflake'); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ loadMs, firstParseMs, rssBeforeMB: before / 1e6, rssAfterMB: after / 1e6, modelLines: model.split('\\n').length, parse2000LinesMs: { p50: times[4], p95: times[8] } }));
})();
`;

/** The engine's whole check (parse, syntax rules, catalog checks) of the 2,000-line model with a 400-table catalog. */
const checksProbe = `
const path = require('node:path');
const { analyzeSql } = require(path.join(process.argv[1], 'out', 'server', 'src', 'sql', 'analyzeSql.js'));
const modelOf = require(path.join(process.argv[1], 'bench', 'snowflakeParserModel.cjs'));
const columns = Array.from({ length: 18 }, (_, i) => ({ name: 'C' + i, type: 'NUMBER', nullable: true }));
const catalog = { schemas: [{ name: 'PUBLIC', tables: Array.from({ length: 400 }, (_, t) => ({ name: 'T' + t, kind: 'table', columns })) }], fetchedAt: '' };
(async () => {
  await analyzeSql(modelOf(0), { dialect: 'snowflake', catalog });
  const times = [];
  let problems = 0;
  // A different text each time: the last statement read is kept.
  for (let i = 1; i <= 9; i++) { const t = performance.now(); problems += (await analyzeSql(modelOf(i), { dialect: 'snowflake', catalog, primaryKey: 'ID' })).length; times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ p50: times[4], p95: times[8], problems }));
})();
`;

export function snowflakeParserBench({ runs = 3 } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(JSON.parse(execFileSync(process.execPath, ['-e', probe, root], { encoding: 'utf8' })));
  const checks = JSON.parse(execFileSync(process.execPath, ['-e', checksProbe, root], { encoding: 'utf8' }));
  // The model is valid over its catalog: a problem found would be a false Error, and the timing meaningless.
  if (checks.problems !== 0) throw new Error(`the 2,000-line model got ${checks.problems} diagnostics`);
  const median = (key) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  const wasm = join(root, 'dist', 'polyglot_sql.wasm');
  const r = (n) => Math.round(n * 10) / 10;
  return {
    runs,
    loadMs: r(median('loadMs')),
    firstParseMs: r(median('firstParseMs')),
    rssBeforeMB: r(median('rssBeforeMB')),
    rssWithParserMB: r(median('rssAfterMB')),
    rssAddedMB: r(median('rssAfterMB') - median('rssBeforeMB')),
    model2000Lines: { lines: samples[0].modelLines, parseMsP50: r(samples[0].parse2000LinesMs.p50), parseMsP95: r(samples[0].parse2000LinesMs.p95), checksMsP50: r(checks.p50), checksMsP95: r(checks.p95) },
    wasmBytes: statSync(wasm).size,
    wasmGzipBytes: gzipSync(readFileSync(wasm), { level: 9 }).length,
    bundleBytes: statSync(join(root, 'dist', 'polyglot.js')).size,
  };
}
