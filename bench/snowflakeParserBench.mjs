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
  for (let n = 0; parts.length < 87; n++) parts.push('CTE' + n + ' AS (\\n  SELECT\\n' + Array.from({ length: 18 }, (_, i) => '    T' + (n % 400) + '.C' + i + ' AS C' + i).join(',\\n') + '\\n  FROM PUBLIC.T' + (n % 400) + '\\n  WHERE T' + (n % 400) + '.C1 > ' + n + '\\n)');
  const model = 'WITH ' + parts.join(',\\n') + '\\nSELECT C0 AS ID, C1\\nFROM CTE0\\n';
  const times = [];
  for (let i = 0; i < 9; i++) { const t = performance.now(); p.parse(model, 'snowflake'); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ loadMs, firstParseMs, rssBeforeMB: before / 1e6, rssAfterMB: after / 1e6, modelLines: model.split('\\n').length, parse2000LinesMs: { p50: times[4], p95: times[8] } }));
})();
`;

export function snowflakeParserBench({ runs = 3 } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(JSON.parse(execFileSync(process.execPath, ['-e', probe, root], { encoding: 'utf8' })));
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
    model2000Lines: { lines: samples[0].modelLines, parseMsP50: r(samples[0].parse2000LinesMs.p50), parseMsP95: r(samples[0].parse2000LinesMs.p95) },
    wasmBytes: statSync(wasm).size,
    wasmGzipBytes: gzipSync(readFileSync(wasm), { level: 9 }).length,
    bundleBytes: statSync(join(root, 'dist', 'polyglot.js')).size,
  };
}
