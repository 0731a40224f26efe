// Section 4, side by side: our engine (dist/server.js) and the peer `sql-language-server` (npm, 1.7.1),
// each a child process over Node IPC (as VS Code starts them) on the same files and the same PostgreSQL catalog of 400 tables x 50
// columns. Measured as an editor sees it: from sending a change to receiving its diagnostics, and from
// sending a completion request to its answer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_TOOLS_DIR, PEER } from './benchTools.mjs';
import { benchWorkspace, startEngine } from './benchWorkspace.mjs';
import { bigModel, ratio, root, startLanguageServer, stats } from './lib.mjs';

const PEER_CLI = join(BENCH_TOOLS_DIR, 'node_modules', PEER.name, 'npm_bin', 'cli.js');

// `a.` after the alias: the columns of t17 (unqualified: the peer knows no schemas).
const COMPLETION_TEXT = 'SELECT a.\nFROM t17 AS a JOIN t230 b ON b.c1 = a.c1\n';
const COMPLETION_AT = { line: 0, character: 9 };
// Between edits the editor is idle for this long, longer than our server's 150 ms typing debounce: each
// sample is the latency of one edit, not of a burst.
const PAUSE_MS = 200;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, what, ms = 120_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const itemsOf = (r) => (Array.isArray(r) ? r : (r?.items ?? []));

async function measure(server, { bigUri, completionUri, versioned, runs }) {
  const model = bigModel(2000);
  const open = (uri, text) => server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
  open(completionUri, COMPLETION_TEXT);
  const complete = () => server.conn.sendRequest('textDocument/completion', { textDocument: { uri: completionUri }, position: COMPLETION_AT });
  // Both servers read the catalog in the background; measuring starts once the columns are known.
  await until(async () => itemsOf(await complete()).some((i) => i.label === 'c49'), 'the catalog (column c49 offered)');

  let version = 1;
  let first = server.diagnostics(bigUri);
  open(bigUri, model);
  let last = await first;
  const diagnosticsMs = [];
  for (let i = 0; i <= runs; i++) {
    await sleep(PAUSE_MS);
    version++;
    const v = version;
    const next = server.diagnostics(bigUri, (p) => !versioned || p.version === v);
    const t = performance.now();
    server.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: bigUri, version: v },
      contentChanges: [{ text: `${model}-- edit ${i}\n` }],
    });
    last = await next;
    if (i > 0) diagnosticsMs.push(performance.now() - t); // run 0 warms up
  }

  const completionMs = [];
  let items = 0;
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const r = await complete();
    if (i > 0) completionMs.push(performance.now() - t);
    items = itemsOf(r).length;
  }
  return {
    diagnosticsMs: stats(diagnosticsMs),
    diagnosticsReported: last.diagnostics.length,
    diagnosticsSample: last.diagnostics.slice(0, 2).map((d) => d.message),
    completionMs: stats(completionMs),
    completionItems: items,
  };
}

export async function lspSideBySideBench(pg, { runs }) {
  const model = bigModel(2000);
  const ws = benchWorkspace(pg, { big: { sql: model }, complete: { sql: COMPLETION_TEXT } });
  const ours = await startEngine(ws);
  let oursResult;
  try {
    oursResult = await measure(ours, { bigUri: ws.uris.big, completionUri: ws.uris.complete, versioned: true, runs });
  } finally {
    await ours.stop();
  }

  // The peer reads its connection from .sqllsrc.json in the workspace root (a throwaway folder).
  const peerDir = join(ws.dir, 'peer');
  mkdirSync(peerDir);
  writeFileSync(
    join(peerDir, '.sqllsrc.json'),
    JSON.stringify({ name: 'bench', adapter: 'postgres', host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database }),
  );
  const peer = await startLanguageServer({ command: process.execPath, args: [PEER_CLI, 'up', '--method', 'node-ipc'], cwd: peerDir });
  let peerResult;
  try {
    peerResult = await measure(peer, {
      bigUri: pathToFileURL(join(peerDir, 'big.sql')).toString(),
      completionUri: pathToFileURL(join(peerDir, 'complete.sql')).toString(),
      versioned: false,
      runs,
    });
  } finally {
    await peer.stop();
  }
  return {
    input: { modelLines: model.split('\n').length, catalogTables: 400, catalogColumns: 20_000, pauseBetweenEditsMs: PAUSE_MS },
    ours: oursResult,
    peer: { ...PEER, ...peerResult },
    ratios: {
      diagnosticsOursToPeerP50: ratio(oursResult.diagnosticsMs.p50, peerResult.diagnosticsMs.p50),
      completionOursToPeerP50: ratio(oursResult.completionMs.p50, peerResult.completionMs.p50),
    },
    goals: { diagnosticsMs: 50, completionMs: 30 },
  };
}
