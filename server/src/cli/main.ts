// The `retl` command line: the same engine modules as the language server, without LSP.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ModelSummary, WorkspaceState } from '../../../protocol/src/config';
import type { ChangeResult } from '../../../protocol/src/requests';
import { CONFIG_FILE, ConfigStore } from '../config/configStore';
import { initWorkspace, WorkspaceExistsError } from '../init/starterWorkspace';
import { createModel, defaultQueryPath, deleteModel, updateModel } from '../models/modelChanges';
import type { Cell } from '../../../protocol/src/preview';
import { Engine, EngineError } from '../engine';
import { closeDemoWarehouses } from '../warehouse/demo/demoWarehouse';
import { NO_STORED_SECRETS } from '../warehouse/registry';
import { analyzeSql } from '../sql/analyzeSql';
import { positionAt } from '../sql/sqlLexer';
import { dialectOf, type Dialect } from '../sql/statementCheck';
import { syncConnection } from '../sync/syncConnection';
import { SyncError } from '../sync/syncRunner';
import { runDueConnections, type ScheduledRun } from '../sync/scheduler';
import { rowsWaiting, waitingSentence, type SyncOutcome } from '../../../protocol/src/sync';
import { WarehouseError } from '../warehouse/warehouse';

export const EXIT = { ok: 0, checksFailed: 1, usage: 2, refused: 3 } as const;

const USAGE = `Usage: retl <command> [options]

Commands:
  init [--demo] [--dir DIR]              write a starter retl.yaml (with --demo: the demo warehouse and two models)
  models list                            list the models
  models create --id ID --name NAME --credentials CID --query-file FILE
                [--description D] [--primary-key K]
  models rename ID NEW_NAME              change a model's display name (the id stays)
  models delete ID [--delete-query-file] delete a model no connection uses
  verify CREDENTIALS_ID                  run the three checks: connection, list schemas, state schema
  preview MODEL_ID [--page N] [--timeout SECONDS]
                                         run the model's query and print one page of 50 rows; the
                                         query is stopped after SECONDS (default 120), exit 1
  sync CONNECTION_ID [--full]            send the model's changed rows to the connection's destination
                                         (--full: every row); exit 1 when a row failed or the run stopped
  schedule [--once]                      sync the connections whose schedule (15m, 1h, 1d) is due, checking
                                         every minute until Ctrl-C (--once: check once and exit, for cron)
  validate FILE... [--dialect postgres|snowflake] [--credentials ID]
                                         check SQL files: syntax, one read-only statement, and the
                                         catalog of the credentials (a model's file uses its own)

Options:
  --config PATH   retl.yaml to use (default: the nearest one in this folder or above)
  --json          print machine-readable JSON
  -h, --help      show this help

Exit codes: 0 ok, 1 checks failed, 2 usage or config error, 3 refused.`;

class UsageError extends Error {}

interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  demo: { type: 'boolean' },
  dir: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  credentials: { type: 'string' },
  'query-file': { type: 'string' },
  description: { type: 'string' },
  'primary-key': { type: 'string' },
  'delete-query-file': { type: 'boolean' },
  page: { type: 'string' },
  timeout: { type: 'string' },
  dialect: { type: 'string' },
  full: { type: 'boolean' },
  once: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export async function main(argv: string[], io: Output = consoleOutput(argv)): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`retl: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = args;
  io.json = values.json ?? false;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  try {
    const [command, sub, ...rest] = positionals;
    if (command === 'init') return await runInit(values, io);
    if (command === 'models') return await runModels(sub, rest, values, io);
    if (command === 'verify') return await runVerify([sub, ...rest].filter((x): x is string => x !== undefined), values, io);
    if (command === 'validate') return await runValidate([sub, ...rest].filter((x): x is string => x !== undefined), values, io);
    if (command === 'schedule') return await runSchedule(values, io);
    if (command === 'sync') return await runSyncCommand([sub, ...rest].filter((x): x is string => x !== undefined), values, io);
    if (command === 'preview') return await runPreview([sub, ...rest].filter((x): x is string => x !== undefined), values, io);
    throw new UsageError(`unknown command "${command}".`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`retl: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.err(`retl: ${(err as Error).message}`);
    return EXIT.usage;
  }
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}
type Values = ReturnType<typeof parse>['values'];

function consoleOutput(argv: string[]): Output {
  return {
    json: argv.includes('--json'),
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  };
}

async function runInit(values: Values, io: Output): Promise<number> {
  const dir = path.resolve(values.dir ?? process.cwd());
  try {
    const files = await initWorkspace(dir, values.demo ?? false);
    if (io.json) io.out(JSON.stringify({ dir, files }));
    else io.out(`Wrote ${files.map((f) => path.relative(process.cwd(), f) || f).join(', ')}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkspaceExistsError) {
      io.err(`retl: ${err.message}`);
      return EXIT.refused;
    }
    throw err;
  }
}

/** Finds retl.yaml from --config, or upward from the current folder. */
export function findConfig(explicit: string | undefined, from = process.cwd()): string | undefined {
  if (explicit) return path.resolve(explicit);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Opens the store and refuses to go on when the file is missing or broken. */
async function openStore(values: Values, io: Output): Promise<ConfigStore | number> {
  const configPath = findConfig(values.config);
  if (!configPath) {
    io.err(`retl: no ${CONFIG_FILE} found in ${process.cwd()} or above; run "retl init" or pass --config.`);
    return EXIT.usage;
  }
  if (!existsSync(configPath)) {
    io.err(`retl: ${configPath} does not exist.`);
    return EXIT.usage;
  }
  const store = new ConfigStore(configPath);
  const state = await store.load();
  if (state.problems.length > 0) {
    const lines = state.problems.map((p) => `${configPath}:${p.line}:${p.column}: ${p.message}`);
    if (io.json) io.err(JSON.stringify({ error: 'configBroken', configPath, problems: state.problems }));
    else io.err(`retl: ${configPath} has problems:\n${lines.join('\n')}`);
    return EXIT.usage;
  }
  return store;
}

async function runModels(sub: string | undefined, rest: string[], values: Values, io: Output): Promise<number> {
  if (sub !== 'list' && sub !== 'create' && sub !== 'rename' && sub !== 'delete') {
    throw new UsageError(sub ? `unknown models command "${sub}".` : 'models needs a command: list, create, rename or delete.');
  }
  const store = await openStore(values, io);
  if (typeof store === 'number') return store;

  switch (sub) {
    case 'list': {
      expectArgs(rest, 0, 'models list');
      const models = store.state().models.map(publicModel);
      if (io.json) io.out(JSON.stringify(models, null, 2));
      else if (models.length === 0) io.out('No models yet.');
      else for (const m of models) io.out(`${m.id}\t${m.name}\t${m.credentials}\t${m.query}${m.connections.length ? `\tused by ${m.connections.join(', ')}` : ''}`);
      return EXIT.ok;
    }
    case 'create': {
      expectArgs(rest, 0, 'models create');
      const id = required(values.id, '--id');
      const queryFile = path.resolve(required(values['query-file'], '--query-file'));
      let sql: string;
      try {
        sql = await fs.readFile(queryFile, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read --query-file ${queryFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      // A file inside the workspace is referenced where it is; one outside is copied in, so the model is kept with the code.
      const relative = path.relative(store.root, queryFile);
      const inside = !relative.startsWith('..') && !path.isAbsolute(relative) && relative.endsWith('.sql');
      const result = await createModel(store, {
        id,
        name: required(values.name, '--name'),
        credentials: required(values.credentials, '--credentials'),
        query: inside ? relative.split(path.sep).join('/') : defaultQueryPath(id),
        initialSql: sql,
        ...(values.description !== undefined ? { description: values.description } : {}),
        ...(values['primary-key'] !== undefined ? { primaryKey: values['primary-key'] } : {}),
      });
      return report(result, io, (s) => savedModel(s, id));
    }
    case 'rename': {
      const [id, newName] = expectArgs(rest, 2, 'models rename ID NEW_NAME');
      const result = await updateModel(store, { id: id!, name: newName! });
      return report(result, io, (s) => savedModel(s, id!));
    }
    case 'delete': {
      const [id] = expectArgs(rest, 1, 'models delete ID');
      const result = await deleteModel(store, { id: id!, deleteQueryFile: values['delete-query-file'] ?? false });
      return report(result, io, () => ({ json: { deleted: id }, text: `Deleted model ${id}.` }));
    }
  }
}

/** The CLI's engine: secrets only from variables named in retl.yaml; the demo warehouse under .retl/. */
function cliEngine(store: ConfigStore): Engine {
  return new Engine(store, NO_STORED_SECRETS, path.join(store.root, '.retl', 'demo'));
}

/**
 * Runs a warehouse command with the CLI's engine: Ctrl-C cancels what runs on the warehouse, engine
 * errors become exit codes, and every connection is closed before the command returns.
 */
async function withEngine(values: Values, io: Output, fn: (engine: Engine, signal: AbortSignal) => Promise<number>): Promise<number> {
  const store = await openStore(values, io);
  if (typeof store === 'number') return store;
  const engine = cliEngine(store);
  const controller = new AbortController();
  const onInt = () => controller.abort();
  process.once('SIGINT', onInt);
  try {
    return await fn(engine, controller.signal);
  } catch (err) {
    if (err instanceof EngineError) {
      io.err(`retl: ${err.message}`);
      return err.code === 'notFound' ? EXIT.refused : EXIT.usage;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onInt);
    await engine.dispose();
    await closeDemoWarehouses();
  }
}

async function runVerify(rest: string[], values: Values, io: Output): Promise<number> {
  const [credentialsId] = expectArgs(rest, 1, 'verify CREDENTIALS_ID');
  return withEngine(values, io, async (engine, signal) => {
    const result = await engine.verify(credentialsId!, (checks) => {
      if (io.json) return;
      const running = checks.find((c) => c.status === 'running');
      if (running) io.err(`… ${running.title}`);
    }, signal);
    if (io.json) {
      io.out(JSON.stringify({
        credentials: result.credentials,
        checks: result.checks.map((c) => ({ id: c.id, status: c.status, message: c.message ?? null, warning: c.warning ?? null, remediation: c.remediation ?? null, ms: c.ms ?? null })),
      }, null, 2));
    } else {
      for (const c of result.checks) {
        const mark = c.status === 'passed' ? 'ok  ' : c.status === 'failed' ? 'FAIL' : 'skip';
        io.out(`${mark} ${c.title}${c.ms !== undefined && c.status !== 'skipped' ? ` (${c.ms} ms)` : ''}${c.message ? `: ${c.message}` : ''}`);
        if (c.warning) io.out(`warn ${c.warning}`);
        if (c.remediation) io.out(`     Run as an administrator:\n${c.remediation.split('\n').map((l) => `       ${l}`).join('\n')}`);
      }
    }
    return result.ok ? EXIT.ok : EXIT.checksFailed;
  });
}

async function runPreview(rest: string[], values: Values, io: Output): Promise<number> {
  const [modelId] = expectArgs(rest, 1, 'preview MODEL_ID [--page N] [--timeout SECONDS]');
  const page = values.page === undefined ? 1 : Number(values.page);
  if (!Number.isInteger(page) || page < 1) throw new UsageError('--page takes a whole number from 1 up.');
  const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400)) throw new UsageError('--timeout takes a number of seconds above 0 (at most 86400).');
  return withEngine(values, io, async (engine, signal) => {
    let result = await engine.openPreview({ modelId: modelId!, ...(seconds !== undefined ? { timeoutMs: Math.round(seconds * 1000) } : {}) }, signal);
    if (result.ok && page > 1) result = await engine.previews.page(result.page.sessionId, page, signal);
    if (!result.ok) {
      const e = result.error;
      if (io.json) io.err(JSON.stringify({ error: e.kind, message: e.message, ...(e.position ? { line: e.position.line, column: e.position.column } : {}), ...(e.code ? { code: e.code } : {}) }));
      else io.err(`retl: ${e.position ? `${engine.store.resolve(engine.model(modelId!).query)}:${e.position.line}:${e.position.column}: ` : ''}${e.message}`);
      return e.kind === 'refused' ? EXIT.refused : EXIT.checksFailed;
    }
    const p = result.page;
    if (io.json) {
      io.out(JSON.stringify({ model: modelId, page: p.page, pageSize: p.pageSize, columns: p.columns, rows: p.rows, hasMore: p.hasMore, duplicateKeys: p.keys.duplicates, ...(p.keys.missing ? { missingKey: p.keys.column } : {}) }));
    } else {
      io.out(formatTable(p.columns.map((c) => c.name), p.rows.map((r) => r.map(cellText))));
      io.out(`page ${p.page} · rows ${(p.page - 1) * p.pageSize + 1}–${(p.page - 1) * p.pageSize + p.rows.length}${p.hasMore ? ' · more rows follow' : ' · last page'}`);
      if (p.keys.missing) io.out(`primary key "${p.keys.column}" is not among the columns`);
      if (p.keys.duplicates.length) io.out(`duplicate keys: ${p.keys.duplicates.slice(0, 10).join(', ')}`);
    }
    return EXIT.ok;
  });
}

async function runSchedule(values: Values, io: Output): Promise<number> {
  return withEngine(values, io, async (engine, signal) => {
    let failed = false;
    const report = (runs: ScheduledRun[]) => {
      for (const { connectionId, outcome } of runs) {
        const bad = !outcome.ok || !!outcome.result.error || outcome.result.failed > 0 || outcome.result.invalid > 0;
        failed ||= bad;
        if (io.json) io.out(JSON.stringify({ at: new Date().toISOString(), ...(outcome.ok ? outcome.result : { connection: connectionId, error: outcome.message }) }));
        else io.out(`${new Date().toISOString()} ${connectionId}: ${outcome.ok ? `${outcome.result.added} added, ${outcome.result.changed} changed, ${outcome.result.removed} removed, ${outcome.result.failed} failed${outcome.result.error ? ` (stopped: ${outcome.result.error})` : ''}` : outcome.message}`);
      }
    };
    const run = async (id: string): Promise<SyncOutcome> => {
      try {
        return { ok: true, result: await syncConnection(engine, id, { signal }) };
      } catch (err) {
        if (err instanceof SyncError || err instanceof WarehouseError || err instanceof EngineError) return { ok: false, message: err.message };
        throw err;
      }
    };
    for (;;) {
      report(await runDueConnections(engine, run, signal));
      if (values.once || signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 60_000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (signal.aborted) break;
      await engine.store.load(); // retl.yaml may have changed since the last check
    }
    return failed ? EXIT.checksFailed : EXIT.ok;
  });
}

async function runSyncCommand(rest: string[], values: Values, io: Output): Promise<number> {
  const [connectionId] = expectArgs(rest, 1, 'sync CONNECTION_ID [--full]');
  return withEngine(values, io, async (engine, signal) => {
    let result;
    try {
      result = await syncConnection(engine, connectionId!, {
        full: values.full ?? false,
        signal,
        onProgress: (sent, total) => io.json || io.err(`… ${sent} of ${total} rows`),
      });
    } catch (err) {
      if (!(err instanceof SyncError || err instanceof WarehouseError)) throw err;
      if (io.json) io.err(JSON.stringify({ error: 'sync', message: err.message }));
      else io.err(`retl: ${err.message}`);
      return err instanceof SyncError ? EXIT.refused : EXIT.checksFailed;
    }
    if (io.json) {
      const { connection, run, added, changed, removed, failed, invalid, unsent, durationMs, error } = result;
      io.out(JSON.stringify({ connection, run, added, changed, removed, failed, invalid, unsent, durationMs, ...(error ? { error } : {}) }));
    } else {
      io.out(`${result.connection}: run ${result.run}${result.full ? ' (full)' : ''}: ${result.added} added, ${result.changed} changed, ${result.removed} removed, ${result.failed} failed, ${result.invalid} invalid keys (${result.durationMs} ms)`);
      if (result.error) io.out(`stopped: ${result.error}`);
      if (rowsWaiting(result) > 0) io.out(waitingSentence(result));
    }
    return rowsWaiting(result) > 0 || result.invalid > 0 || result.error ? EXIT.checksFailed : EXIT.ok;
  });
}

async function runValidate(files: string[], values: Values, io: Output): Promise<number> {
  if (files.length === 0) throw new UsageError('validate needs at least one FILE.');
  if (values.dialect !== undefined && values.dialect !== 'postgres' && values.dialect !== 'snowflake') throw new UsageError('--dialect is postgres or snowflake.');
  // retl.yaml is optional here: without it, files are checked for syntax and statement kind only.
  const configPath = findConfig(values.config);
  const store = configPath && existsSync(configPath) ? new ConfigStore(configPath) : undefined;
  if (store && (await store.load()).problems.length > 0 && values.credentials) {
    io.err(`retl: ${configPath} has problems; fix them to use --credentials.`);
    return EXIT.usage;
  }
  const engine = store ? cliEngine(store) : undefined;
  try {
    const report: { file: string; diagnostics: { line: number; column: number; severity: string; message: string; code: string }[] }[] = [];
    for (const file of files) {
      const abs = path.resolve(file);
      let text: string;
      try {
        text = await fs.readFile(abs, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const model = engine?.modelForFile(abs);
      const credentialsId = values.credentials ?? model?.credentials;
      const creds = credentialsId && engine ? engine.credentials(credentialsId) : undefined;
      const dialect = (values.dialect as Dialect | undefined) ?? (creds ? dialectOf(creds.type) : 'postgres');
      const catalog = creds && engine ? await engine.catalogFor(creds.id) : undefined;
      if (creds && !catalog) io.err(`retl: could not read the catalog of "${creds.id}" (run "retl verify ${creds.id}"); checking without it.`);
      const found = await analyzeSql(text, { dialect, ...(catalog ? { catalog } : {}), ...(model?.primaryKey ? { primaryKey: model.primaryKey } : {}) });
      report.push({
        file,
        diagnostics: found.map((d) => ({ ...positionAt(text, d.start), severity: d.severity, message: d.message, code: d.code })),
      });
    }
    if (io.json) io.out(JSON.stringify(report, null, 2));
    else for (const r of report) for (const d of r.diagnostics) io.out(`${r.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`);
    return report.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? EXIT.checksFailed : EXIT.ok;
  } catch (err) {
    if (err instanceof EngineError) {
      io.err(`retl: ${err.message}`);
      return EXIT.refused;
    }
    throw err;
  } finally {
    await engine?.dispose();
    await closeDemoWarehouses();
  }
}

function cellText(c: Cell): string {
  if (c === null) return 'NULL';
  if (typeof c === 'object') return `${c.truncated}… (${c.size} chars)`;
  return String(c);
}

function formatTable(header: string[], rows: string[][]): string {
  const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s).replace(/\s+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

function publicModel(m: ModelSummary) {
  return {
    id: m.id,
    name: m.name,
    description: m.description ?? '',
    credentials: m.credentials,
    query: m.query,
    primaryKey: m.primaryKey ?? null,
    connections: m.connections,
  };
}

type Shown = { json: unknown; text: string };

function savedModel(state: WorkspaceState, id: string): Shown {
  const m = state.models.find((x) => x.id === id);
  if (!m) throw new Error(`model ${id} vanished after saving`);
  return { json: publicModel(m), text: `Model ${m.id} ("${m.name}", ${m.query}) saved.` };
}

function report(result: ChangeResult, io: Output, show: (state: WorkspaceState) => Shown): number {
  if (result.ok) {
    const shown = show(result.state);
    io.out(io.json ? JSON.stringify(shown.json, null, 2) : shown.text);
    return EXIT.ok;
  }
  if (io.json) io.err(JSON.stringify({ error: result.code, message: result.message, ...(result.usedBy ? { usedBy: result.usedBy } : {}) }));
  else io.err(`retl: ${result.message}`);
  return result.code === 'configBroken' || result.code === 'io' ? EXIT.usage : EXIT.refused;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required.`);
  return value;
}

function expectArgs(rest: string[], count: number, form: string): string[] {
  if (rest.length !== count) throw new UsageError(`expected: retl ${form}`);
  return rest;
}
