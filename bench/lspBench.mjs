// Language-server budgets (DESIGN section 6), measured on the built engine modules as the server runs
// them: diagnostics of a 2,000-line model after the first parse, and completion with a 20,000-column
// catalog. p50/p95 over 50 runs. Usage: npm run build && npx tsc -b && node bench/lspBench.mjs
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const { analyzeSql } = require(join(root, 'out/server/src/sql/analyzeSql.js'));
const { completeSql, hoverSql } = require(join(root, 'out/server/src/sql/completion.js'));

function catalogOf(tables, columnsPerTable) {
  return {
    fetchedAt: new Date().toISOString(),
    schemas: [
      {
        name: 'public',
        tables: Array.from({ length: tables }, (_, t) => ({
          name: `t${t}`,
          kind: 'table',
          columns: Array.from({ length: columnsPerTable }, (_, c) => ({ name: `c${c}`, type: c % 3 ? 'integer' : 'text', nullable: true })),
        })),
      },
    ],
  };
}

/** A 2,000-line model: a chain of CTEs over catalog tables, each with a long select list. */
function bigModel(lines) {
  const parts = [];
  let n = 0;
  let written = 0;
  while (written < lines - 4) {
    const cols = Array.from({ length: 18 }, (_, i) => `    t${n % 400}.c${i} AS c${i}`).join(',\n');
    parts.push(`cte${n} AS (\n  SELECT\n${cols}\n  FROM public.t${n % 400}\n  WHERE t${n % 400}.c1 > ${n}\n)`);
    written += 23;
    n++;
  }
  return `WITH ${parts.join(',\n')}\nSELECT c0 AS id, c1\nFROM cte0\n`;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  return { p50: +at(50).toFixed(2), p95: +at(95).toFixed(2), runs: s.length };
}

async function time(fn, runs = 50) {
  await fn(); // the first parse loads the wasm parser
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return stats(out);
}

const model = bigModel(2000);
const catalog = catalogOf(400, 50); // 20,000 columns
const diagnostics = await time(() => analyzeSql(model, { dialect: 'postgres', catalog }));
const check = await analyzeSql(model, { dialect: 'postgres', catalog });
const typing = 'SELECT a.\nFROM public.t17 AS a JOIN public.t230 b ON b.c1 = a.c1\n';
const completion = await time(() => completeSql(typing, 9, catalog));
const fromCompletion = await time(() => completeSql('SELECT 1 FROM ', 14, catalog));
const hover = await time(() => hoverSql(typing, typing.indexOf('c1'), catalog));

const result = {
  date: new Date().toISOString(),
  node: process.version,
  model: { lines: model.split('\n').length, diagnosticsFound: check.length },
  catalog: { tables: 400, columns: 20000 },
  diagnosticsMs: diagnostics,
  completionAliasColumnsMs: completion,
  completionAfterFromMs: fromCompletion,
  hoverMs: hover,
  goals: { diagnosticsMs: 50, completionMs: 30 },
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(root, 'bench', 'lsp-results.json'), `${JSON.stringify(result, null, 2)}\n`);
