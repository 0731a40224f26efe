// What every benchmark shares: percentiles, timing loops, the built modules, an LSP client over Node IPC,
// a process's resident memory, and the bench database on the throwaway PostgreSQL server.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
export const requireFromRoot = createRequire(join(root, 'package.json'));

/** A module of the engine as tsc built it (out/), so a bench measures the code the server runs. */
export function engineModule(relative) {
  return requireFromRoot(join(root, 'out', relative));
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  return { p50: round(at(50)), p95: round(at(95)), min: round(s[0]), runs: s.length };
}

export function round(n, digits = 3) {
  return Number(n.toFixed(digits));
}

export function ratio(a, b) {
  return round(a / b, 2);
}

/** Runs `fn` once to warm up, then `runs` times; returns the samples in ms. */
export async function sample(fn, runs) {
  await fn();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/**
 * A language server child process over Node IPC, spoken to as an editor would: initialize, open files,
 * send changes, and wait for the diagnostics of a given document version.
 */
export async function startLanguageServer({ command, args, cwd, env, initializationOptions, configuration }) {
  const rpc = requireFromRoot('vscode-jsonrpc/node');
  // Node IPC, the transport VS Code uses for both servers. (stdio would also do for ours, but the peer
  // prints console.time() lines to stdout, in the middle of its LSP messages.)
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let stopping = false;
  const conn = rpc.createMessageConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
  const waiters = [];
  // A server that dies fails the section that uses it, with its last words, instead of the whole run.
  child.on('exit', (code, sig) => {
    if (stopping) return;
    const died = new Error(`${args.join(' ')} exited (${code ?? sig}): ${stderr.trim().split('\n').slice(-6).join(' | ')}`);
    for (const w of waiters.splice(0)) w.reject(died);
    conn.dispose();
  });
  const published = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    published.set(p.uri, p);
    for (const w of [...waiters]) if (w.test(p)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(p);
  });
  conn.onNotification(() => undefined);
  conn.onRequest('workspace/configuration', (p) => p.items.map((item) => configuration?.(item.section) ?? null));
  conn.onRequest(() => null); // capability registration, refreshes
  conn.listen();
  const rootUri = `file://${cwd}`;
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    rootPath: cwd,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    initializationOptions,
  });
  conn.sendNotification('initialized', {});
  return {
    pid: child.pid,
    conn,
    /** The next diagnostics for `uri` that satisfy `test`. */
    diagnostics(uri, test = () => true, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ test: (p) => p.uri === uri && test(p), resolve: (p) => (clearTimeout(timer), resolve(p)), reject });
      });
    },
    async stop() {
      stopping = true;
      await Promise.race([conn.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      conn.sendNotification('exit');
      conn.dispose();
      child.kill();
    },
  };
}

/** A 2,000-line model: a chain of CTEs over the catalog's tables, each with a long select list. */
export function bigModel(lines) {
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

/** Column `c` of the generated wide tables: every third one text, the rest integer. */
export function wideColumnType(c) {
  return c % 3 ? 'integer' : 'text';
}
