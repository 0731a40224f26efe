// bench/RESULTS.md from results.json: the figures, the ratios against their baselines, which goals are met,
// and the written analysis (bench/ANALYSIS.md, kept by hand) of what falls short and why.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ratio, root } from './lib.mjs';

const ms = (s) => (s ? `${s.p50} / ${s.p95}` : '—');
const verdict = (ok) => (ok ? 'met' : '**short**');

export function renderResults(r) {
  const out = [];
  const summary = [];
  const goal = (label, value, target, ok) => {
    summary.push(`${ok ? 'met  ' : 'SHORT'} ${label}: ${value} (goal ${target})`);
    return verdict(ok);
  };
  const m = r.machine;
  out.push('# Benchmark results', '');
  out.push(`Run on ${r.date.slice(0, 10)} by \`npm run bench\` (\`bench/run.mjs\`). Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}.`);
  const v = r.versions;
  out.push(
    `Versions: retl-models ${v.retlModels}, PostgreSQL ${v.postgresqlServer ?? v.postgresql} (throwaway cluster, fsync off, unlogged tables), pg ${v.pg}, libpg-query ${v.libpgQuery}, vscode-languageserver ${v.vscodeLanguageserver}, esbuild ${v.esbuild}.`,
  );
  out.push(
    `Samples: ${r.settings.runs} per figure after a warm-up, shown as p50 / p95 in ms; ratios are of medians. Raw figures: \`bench/results.json\`.`,
    '',
    'Reproduce: `npm run bench` (installs what it needs like `npm test`; about 14 minutes here, most of it paging',
    '10 million rows, syncing 1 million three times and starting the extension host three times). `BENCH_RUNS`, `BENCH_PAGING_ROWS`, `BENCH_ACTIVATION_RUNS` and',
    '`BENCH_SYNC_RUNS`, `BENCH_ONLY=preview,memory,lsp,sync,robustness,export,snowflakeParser,package,activation` change what runs.',
    '',
  );

  const s = r.sections;
  if (s.preview) {
    out.push('## 1. Preview first page vs a plain `pg` client with `LIMIT 50` (1,000,000-row table)', '');
    out.push('| query | preview page 1 | plain `LIMIT 50` | ratio | goal ≤ 1.1 |', '| --- | --- | --- | --- | --- |');
    for (const [name, f] of Object.entries(s.preview.firstPage)) {
      out.push(`| ${name}: \`${f.sql}\` | ${ms(f.previewMs)} | ${ms(f.plainLimit50Ms)} | ${f.ratioP50} | ${goal(`preview page 1 / LIMIT 50 (${name})`, f.ratioP50, '≤ 1.1', f.ratioP50 <= 1.1)} |`);
    }
    out.push('', 'Preview page 1 is `PreviewService.open` as the engine runs it: the read-only check with libpg-query, a pooled');
    out.push('connection, `BEGIN REPEATABLE READ READ ONLY`, its `SET LOCAL`s and `SELECT * FROM (<query>) AS q LIMIT 51` in one');
    out.push('extended-protocol batch (one round trip), cell conversion. Each preview is closed before the next is timed.', '');
    out.push('## 2. Paging within one preview session (cursor) vs OFFSET', '');
    out.push('| query | cursor page 2 | cursor page 20 | ratio | goal ≤ 1.2 | OFFSET page 2 | OFFSET page 20 | OFFSET ratio | cursor page 2 asked at once |');
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, p] of Object.entries(s.preview.paging)) {
      out.push(
        `| ${name} | ${ms(p.cursorPage2Ms)} | ${ms(p.cursorPage20Ms)} | ${p.ratioP50} | ${goal(`cursor page 20 / page 2 (${name})`, p.ratioP50, '≤ 1.2', p.ratioP50 <= 1.2)} | ${ms(p.offsetPage2Ms)} | ${ms(p.offsetPage20Ms)} | ${p.offsetRatioP50} | ${ms(p.cursorPage2RightAfterPage1Ms)} |`,
      );
    }
    out.push('', 'Cursor pages are timed as Next presses: page 2 once the background cursor is open (a user reading page 1),');
    out.push('then each page up to 20. The last column is page 2 asked for at once, which waits for the cursor to be');
    out.push('declared and moved past page 1 (for the ordered query that is the full sort).', '');
  }
  if (s.memory) {
    const x = s.memory;
    out.push(`## 3. Engine memory while paging ${x.rows.toLocaleString('en')} rows`, '');
    out.push('| pages | time | RSS after page 1 | peak RSS | RSS at the end | growth | goal < 50 MB |', '| --- | --- | --- | --- | --- | --- | --- |');
    out.push(`| ${x.pages.toLocaleString('en')} | ${x.seconds} s | ${x.rssAfterPage1Mb} MB | ${x.rssPeakMb} MB | ${x.rssAtEndMb} MB | ${x.growthMb} MB | ${goal('paging memory growth', `${x.growthMb} MB`, '< 50 MB', x.growthMb < 50)} |`);
    out.push('', `The engine process (\`dist/server.js\`) over Node IPC, \`retl/preview/page\` requests one after another, primary key`);
    if (x.heapUsedAfterPage1Mb === undefined) {
      out.push(`checked on every row. RSS along the way (page: MB): ${x.curve.map((c) => `${c.page}: ${c.rssMb}`).join(', ')}.`, '');
    } else {
      out.push(
        'checked on every row. The V8 heap is read in the engine by a probe loaded with `--require` (`process.memoryUsage()` on',
        'SIGUSR2); "live" is heapUsed after a full collection.',
        '',
        '| V8 heapUsed after page 1 | heapUsed, highest sample | live heap at the end | live heap after close | RSS after that collection |',
        '| --- | --- | --- | --- | --- |',
        `| ${x.heapUsedAfterPage1Mb} MB | ${x.heapUsedPeakMb} MB | ${x.liveHeapAtEndMb} MB | ${x.liveHeapAfterCloseMb} MB | ${x.rssAfterGcAtEndMb} MB |`,
        '',
        `Along the way (page: RSS / heapUsed / heapTotal MB): ${x.curve.map((c) => `${c.page}: ${c.rssMb} / ${c.heapUsedMb} / ${c.heapTotalMb}`).join(', ')}.`,
        '',
      );
    }
  }
  if (s.lsp) {
    const { inProcess: ip, sideBySide: sb } = s.lsp;
    out.push('## 4. Language server: ours vs `sql-language-server`, each over Node IPC', '');
    out.push(
      `Input: a ${sb.input.modelLines}-line model (a chain of CTEs over the catalog's tables) and a catalog of ${sb.input.catalogTables} tables × 50 = ${sb.input.catalogColumns.toLocaleString('en')} columns in PostgreSQL, read by both servers from the database. Diagnostics: from sending a change to receiving its diagnostics, the editor idle ${sb.input.pauseBetweenEditsMs} ms between edits. Completion: \`a.\` (columns of an alias).`,
      '',
    );
    out.push('| what | ours | peer | ours / peer | goal |', '| --- | --- | --- | --- | --- |');
    const d = sb.ours.diagnosticsMs.p50;
    const c = sb.ours.completionMs.p50;
    out.push(`| diagnostics, 2,000-line model | ${ms(sb.ours.diagnosticsMs)} | ${ms(sb.peer.diagnosticsMs)} | ${sb.ratios.diagnosticsOursToPeerP50} | < 50 ms: ${goal('diagnostics p50 (ours, over IPC)', `${d} ms`, '< 50 ms', d < 50)}; faster than the peer: ${goal('diagnostics, ours / peer', sb.ratios.diagnosticsOursToPeerP50, '< 1', sb.ratios.diagnosticsOursToPeerP50 < 1)} |`);
    out.push(`| completion, 20,000-column catalog | ${ms(sb.ours.completionMs)} | ${ms(sb.peer.completionMs)} | ${sb.ratios.completionOursToPeerP50} | < 30 ms: ${goal('completion p50 (ours, over IPC)', `${c} ms`, '< 30 ms', c < 30)}; faster than the peer: ${goal('completion, ours / peer', sb.ratios.completionOursToPeerP50, '< 1', sb.ratios.completionOursToPeerP50 < 1)} |`);
    out.push(`| diagnostics reported | ${sb.ours.diagnosticsReported} | ${sb.peer.diagnosticsReported} ${sb.peer.diagnosticsSample.length ? `(“${sb.peer.diagnosticsSample[0]}”)` : ''} | | |`);
    out.push(`| completion items for \`a.\` | ${sb.ours.completionItems} | ${sb.peer.completionItems} | | |`);
    out.push('', 'In process (the engine functions alone, no transport):', '');
    out.push('| what | p50 / p95 ms |', '| --- | --- |');
    out.push(`| diagnostics of the ${ip.model.lines}-line model | ${ms(ip.diagnosticsMs)} |`);
    out.push(`| completion of \`a.\` | ${ms(ip.completionAliasColumnsMs)} |`);
    out.push(`| completion after \`FROM\` | ${ms(ip.completionAfterFromMs)} |`);
    out.push(`| hover on a column | ${ms(ip.hoverMs)} |`, '');
  }
  if (s.package) {
    const p = s.package;
    out.push(`## 5. Package size and activation`, '');
    out.push(`\`retl-models.vsix\` from \`npm run package\`: **${p.vsixMB} MB** (goal under 15 MB, DESIGN section 9: ${goal('.vsix size', `${p.vsixMB} MB`, '< 15 MB', p.vsixMB < 15)}).`, '');
    out.push('| part | files | bytes | compressed in the .vsix | loaded |', '| --- | --- | --- | --- | --- |');
    for (const part of p.parts) {
      out.push(`| ${part.part} | ${part.files.join(', ')} | ${(part.bytes / 1e6).toFixed(2)} MB | ${(part.compressedBytes / 1e6).toFixed(2)} MB | ${part.loadedBy} |`);
    }
    out.push('');
  }
  if (s.activation) {
    const a = s.activation;
    out.push(
      `Activation in the real extension host (code-server, e2e desktop-smoke scenario, ${a.samples.length} starts): p50 **${a.activationMs.p50} ms** (loading the bundle ${a.bundleLoadMs.p50} ms; samples ${a.samples.join(', ')} ms), goal < 50 ms: ${goal('activation p50', `${a.activationMs.p50} ms`, '< 50 ms', a.activationMs.p50 < 50)}.`,
      'Measured from the first line of `dist/extension.js` being evaluated to the end of `activate()`; the engine',
      'process starts after that, in the background.',
      '',
    );
  }
  if (s.sync) {
    const x = s.sync;
    out.push(`## 6. Sync: ${x.rows.toLocaleString('en')} rows into an empty PostgreSQL table vs a plain COPY`, '');
    out.push('| | time (p50 / p95 ms) | rows per second |', '| --- | --- | --- |');
    out.push(`| plain COPY (COPY TO STDOUT piped into COPY FROM STDIN) | ${ms(x.copyMs)} | ${x.rowsPerSecondCopy.toLocaleString('en')} |`);
    out.push(`| \`retl sync --full\` (batch size ${x.batchSize.toLocaleString('en')}, process start included) | ${ms(x.syncMs)} | ${x.rowsPerSecondSync.toLocaleString('en')} |`);
    out.push(
      '',
      `Throughput ratio (COPY time / sync time): **${x.throughputRatio}** (goal ≥ ${x.goalRatio}: ${goal('sync throughput vs COPY', x.throughputRatio, `≥ ${x.goalRatio}`, x.throughputRatio >= x.goalRatio)}). Rows identical in both tables afterwards: ${x.identicalRows.toLocaleString('en')}.`,
      `Memory of the \`retl sync\` process: ${x.rssMb.first} MB at the first sample, peak ${x.rssMb.peak} MB, ${x.rssMb.last} MB at the end (${x.rssMb.samples} samples, every 100 ms).` + (x.memoryByRows ? ` Peak against the row count (first full run of each): ${x.memoryByRows.rows.map((n, i) => `${n.toLocaleString('en')} rows ${x.memoryByRows.peakRssMb[i]} MB`).join(', ')}.` : ''),
      '',
    );
    if (x.incremental && x.webhook) {
      const i = x.incremental;
      const w = x.webhook;
      out.push('| side by side, same run | time (p50 / p95 ms) | measure | goal |', '| --- | --- | --- | --- |');
      out.push(`| incremental \`retl sync\`, 1% of the rows changed (${i.changedRows.toLocaleString('en')} sent) | ${ms(i.ms)} | ${i.ratioToCopy}× the plain COPY of all rows | ${goal('incremental sync / COPY', i.ratioToCopy, `≤ ${i.goalRatio}`, i.ratioToCopy <= i.goalRatio)} |`);
      out.push(`| \`retl sync --full\` to a local webhook answering at once (${w.concurrency} batches in flight) | ${ms(w.ms)} | ${w.rowsPerSecond.toLocaleString('en')} rows/s | ${goal('webhook rows per second', w.rowsPerSecond, `≥ ${w.goalRowsPerSecond.toLocaleString('en')}`, w.rowsPerSecond >= w.goalRowsPerSecond)} |`);
      out.push('');
    }
  }
  if (s.robustness) {
    const { bigCells: b, demoRestart: d } = s.robustness;
    out.push('## 7. Hostile input: big cells, a stopped demo query', '');
    out.push('Peak resident memory of the engine process (`dist/server.js` over Node IPC, RSS sampled every 10 ms):', '');
    out.push('| what | RSS at start | peak RSS | RSS at the end |', '| --- | --- | --- | --- |');
    for (const x of [b.paged, b.wide]) out.push(`| ${x.what} | ${x.rssAtStartMb} MB | ${x.rssPeakMb} MB | ${x.rssAtEndMb} MB |`);
    out.push('', 'Cells are kept cut to 64 K characters in the page cache (32 MB per session at most); the whole value is read');
    out.push('again when asked for. The page being read is whole in memory while it is converted: that is the peak.', '');
    out.push(`Demo warehouse (PGlite on its own thread): first start with seeding ${d.firstStartWithSeedingMs} ms; start after a clean close ${d.startAfterCleanCloseMs} ms;`);
    out.push(`answering again after a stopped query terminated its thread (restart + one query): ${ms(d.restartAfterStoppedQueryMs)} ms (p50 / p95 of ${d.restartAfterStoppedQueryMs.runs}).`, '');
  }
  if (s.snowflakeParser) {
    const p = s.snowflakeParser;
    out.push('## 8. The Snowflake parser (polyglot-sql, wasm), loaded with the first Snowflake text', '');
    out.push('Child processes running the bundle the .vsix ships (`dist/polyglot.js`), median of ' + p.runs + ' runs:', '');
    out.push('| load (require + init) | first parse | RSS before | RSS with the parser | added | 2,000-line model, parse p50 / p95 | whole check with a 400-table catalog, p50 / p95 |', '| --- | --- | --- | --- | --- | --- | --- |');
    const checks = p.model2000Lines.checksMsP50 === undefined ? 'not measured' : `${p.model2000Lines.checksMsP50} / ${p.model2000Lines.checksMsP95} ms`;
    out.push(`| ${p.loadMs} ms | ${p.firstParseMs} ms | ${p.rssBeforeMB} MB | ${p.rssWithParserMB} MB | ${p.rssAddedMB} MB | ${p.model2000Lines.parseMsP50} / ${p.model2000Lines.parseMsP95} ms | ${checks} |`);
    out.push('', 'The whole check is the engine\'s `analyzeSql` (parse, our syntax rules, catalog checks) in one process, on a new text each time.');
    out.push('', `Its wasm is ${(p.wasmBytes / 1e6).toFixed(1)} MB (${(p.wasmGzipBytes / 1e6).toFixed(1)} MB compressed, what it adds to the .vsix with the ${(p.bundleBytes / 1e3).toFixed(0)} kB bundle); PostgreSQL text never loads it.`, '');
  }
  if (s.export) {
    const x = s.export;
    out.push('## 9. Export: `retl export` of 1,000,000 rows vs a plain COPY to a file', '');
    out.push('| what | p50 / p95 | against COPY |', '| --- | --- | --- |');
    out.push(`| \`retl export --format csv -o FILE\` (the CLI as a child process, ${x.fileMb} MB) | ${ms(x.csvMs)} | ${x.ratioToCopy}× |`);
    out.push(`| \`COPY (...) TO STDOUT (FORMAT csv, HEADER)\` to a file (pg-copy-streams) | ${ms(x.copyMs)} | 1 |`);
    out.push(`| \`retl export --format jsonl -o FILE\` | ${ms(x.jsonlMs)} | ${ratio(x.jsonlMs.p50, x.copyMs.p50)}× |`);
    out.push('', `${x.rowsPerSecond.toLocaleString('en')} rows/s; the CSV file is byte for byte COPY's: ${x.identicalToCopy ? 'yes' : 'NO'}. Peak resident memory of \`retl export\` (getrusage): ${x.peakRssMb.rows100k} MB for 100,000 rows, ${x.peakRssMb.rows1m} MB for 1,000,000, ${x.peakRssMb.rows3m} MB for 3,000,000.`, '');
  }
  const errors = Object.entries(r.errors ?? {});
  if (errors.length) {
    out.push('## Sections that failed in this run', '');
    for (const [name, message] of errors) out.push(`- ${name}: ${message}`);
    out.push('');
  }
  const analysis = join(root, 'bench', 'ANALYSIS.md');
  if (existsSync(analysis)) out.push(readFileSync(analysis, 'utf8').trim(), '');
  return { markdown: `${out.join('\n')}\n`, summary };
}
