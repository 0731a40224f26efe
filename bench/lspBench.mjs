// Language-server budgets (DESIGN section 6), measured in process on the engine functions the server runs
// for each request: diagnostics of a 2,000-line model after the first parse, and completion with a
// 20,000-column catalog. p50/p95 over `runs` runs. The same inputs over Node IPC, beside the peer, are in
// lspSideBySideBench.mjs.
import { bigModel, engineModule, sample, stats, wideColumnType } from './lib.mjs';

function catalogOf(tables, columnsPerTable) {
  return {
    fetchedAt: new Date().toISOString(),
    schemas: [
      {
        name: 'public',
        tables: Array.from({ length: tables }, (_, t) => ({
          name: `t${t}`,
          kind: 'table',
          columns: Array.from({ length: columnsPerTable }, (_, c) => ({ name: `c${c}`, type: wideColumnType(c), nullable: true })),
        })),
      },
    ],
  };
}

export async function lspInProcessBench({ runs }) {
  const { analyzeSql } = engineModule('server/src/sql/analyzeSql.js');
  const { completeSql, hoverSql } = engineModule('server/src/sql/completion.js');
  const model = bigModel(2000);
  const catalog = catalogOf(400, 50);
  const time = async (fn) => stats(await sample(fn, runs));
  const typing = 'SELECT a.\nFROM public.t17 AS a JOIN public.t230 b ON b.c1 = a.c1\n';
  return {
    model: { lines: model.split('\n').length, diagnosticsFound: (await analyzeSql(model, { dialect: 'postgres', catalog })).length },
    catalog: { tables: 400, columns: 20_000 },
    diagnosticsMs: await time(() => analyzeSql(model, { dialect: 'postgres', catalog })),
    completionAliasColumnsMs: await time(() => completeSql(typing, 9, catalog)),
    completionAfterFromMs: await time(() => completeSql('SELECT 1 FROM ', 14, catalog)),
    hoverMs: await time(() => hoverSql(typing, typing.indexOf('c1'), catalog)),
  };
}
