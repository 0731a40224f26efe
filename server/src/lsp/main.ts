// The language server process. It is the engine: it owns retl.yaml and (in later phases) the warehouse
// connections, and answers the extension's typed `retl/...` requests. No vscode import here.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancellationToken,
  CodeActionKind,
  createConnection,
  ResponseError,
  DiagnosticSeverity,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  type Diagnostic,
} from 'vscode-languageserver/node';
import type { WorkspaceState } from '../../../protocol/src/config';
import { Notifications, Requests, type ChangeResult, type EngineInitOptions } from '../../../protocol/src/requests';
import { takeChannelKey, unseal } from './secretChannel';
import { CONFIG_FILE, ConfigStore } from '../config/configStore';
import { closeDemoWarehouses, demoStartText, onDemoStart } from '../warehouse/demo/demoWarehouse';
import { createModel, deleteModel, saveCredentials, updateModel } from '../models/modelChanges';
import { Engine } from '../engine';
import { classify } from '../errors';
import { quickFixes } from './quickFixes';
import { SqlDocuments } from './sqlDocuments';
import { payloadJson } from '../sync/payloadJson';
import { planConnection, syncConnection, syncFailures, syncHistory } from '../sync/syncConnection';
import { addConnection, pauseConnection, updateConnection } from '../sync/connectionChanges';
import { ran, SyncScheduler } from '../sync/scheduler';
import type { SyncOutcome, SyncPlanReport } from '../../../protocol/src/sync';
import type { PreviewResult } from '../../../protocol/src/preview';
import { EXPORT_FORMATS, type ExportOutcome } from '../../../protocol/src/export';
import { checkExportPath, ExportError, exportModel } from '../export/exportModel';
import { writeFileAtomically } from '../export/exportTarget';

const connection = createConnection(ProposedFeatures.all);
const secretKey = takeChannelKey();
let store: ConfigStore | undefined;
let engine: Engine | undefined;
// Kept for the warehouse adapters: where the demo warehouse keeps its data.
let initOptions: EngineInitOptions | undefined;
/** The client applies `documentChanges`: quick fixes then name the document version they were made for. */
let versionedEdits = false;

connection.onInitialize((params) => {
  initOptions = params.initializationOptions as EngineInitOptions | undefined;
  versionedEdits = params.capabilities.workspace?.workspaceEdit?.documentChanges === true;
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  const root = folder ? fileURLToPath(folder) : process.cwd();
  store = new ConfigStore(path.join(root, CONFIG_FILE));
  const secrets = {
    // Asked only when a connection is made; the answer stays in this process's memory.
    get: async (credentialsId: string) => {
      const answer = await connection.sendRequest(Requests.getSecret, { credentialsId });
      if (!answer) return undefined;
      if (!secretKey) throw new Error('The extension did not give the engine a key for secrets; restart the extension.');
      return unseal(answer, secretKey);
    },
  };
  engine = new Engine(store, secrets, initOptions?.demoDataDir ?? path.join(root, '.retl', 'demo'));
  engine.onCatalog = (credentialsId) => sql.revalidateAll(credentialsId);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: ['.', ' '] },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'retl-engine' },
  };
});

const sql = new SqlDocuments(connection, () => engine);

connection.onInitialized(async () => {
  onDemoStart((phase) => void connection.sendNotification(Notifications.demoStarting, { message: demoStartText(phase) ?? null }));
  await reload();
  await readSettings();
  connection.onDidChangeConfiguration(() => void readSettings());
});

/** retl.defaultCredentials: which credentials check SQL files that belong to no model. */
async function readSettings(): Promise<void> {
  try {
    const retl = (await connection.workspace.getConfiguration('retl')) as { defaultCredentials?: string; sync?: { runSchedules?: boolean } } | null;
    sql.setDefaultCredentials(retl?.defaultCredentials);
    setSchedulesRunning(retl?.sync?.runSchedules !== false);
  } catch {
    // a client without workspace/configuration: it did not ask for scheduled syncs either
  }
}

let scheduler: SyncScheduler | undefined;

/** retl.sync.runSchedules: connections with a schedule (interval or cron) sync while this engine runs. */
function setSchedulesRunning(on: boolean): void {
  if (on && !scheduler) {
    scheduler = new SyncScheduler(requireEngine(), (id, signal) => runSync(id, false, signal), (checks) => {
      for (const c of checks) if (ran(c)) void connection.sendNotification(Notifications.syncFinished, { connectionId: c.connectionId, outcome: c.outcome, scheduled: true });
      void connection.sendNotification(Notifications.scheduleChecked, {
        connections: checks.map((c) => ({
          connectionId: c.connectionId,
          paused: !ran(c) && c.skipped === 'paused',
          nextRun: c.nextRun === undefined ? null : new Date(c.nextRun).toISOString(),
        })),
      });
    });
    scheduler.start();
  } else if (!on && scheduler) {
    void scheduler.dispose();
    scheduler = undefined;
  }
}

function requireStore(): ConfigStore {
  if (!store) throw new Error('The engine is not initialised yet.');
  return store;
}

/** retl.yaml problems appear in the Problems panel at their line, like any other diagnostic. */
function publishConfigProblems(state: WorkspaceState): void {
  const diagnostics: Diagnostic[] = state.problems.map((p) => ({
    severity: DiagnosticSeverity.Error,
    source: 'retl',
    message: p.message,
    range: {
      start: { line: p.line - 1, character: p.column - 1 },
      end: { line: p.endLine - 1, character: Math.max(p.endColumn - 1, p.column) },
    },
  }));
  void connection.sendDiagnostics({ uri: pathToFileURL(state.configPath).toString(), diagnostics });
}

function announce(state: WorkspaceState): void {
  publishConfigProblems(state);
  sql.revalidateAll();
  // Which files are models may have changed: lenses follow.
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  void connection.sendNotification(Notifications.workspaceChanged, state);
}

async function reload(): Promise<WorkspaceState> {
  const state = await requireStore().load();
  announce(state);
  return state;
}

async function announced(result: Promise<ChangeResult>): Promise<ChangeResult> {
  const r = await result;
  if (r.ok) announce(r.state);
  else if (r.code === 'configBroken') announce(requireStore().state());
  return r;
}

connection.onDidChangeWatchedFiles(async (params) => {
  const s = requireStore();
  const touched = params.changes.some(
    (c) => fileURLToPath(c.uri) === s.configPath && (c.type === FileChangeType.Changed || c.type === FileChangeType.Created || c.type === FileChangeType.Deleted),
  );
  if (touched) await reload();
});

connection.onRequest(Requests.workspaceState, () => requireStore().state());
connection.onRequest(Requests.createModel, (p) => announced(createModel(requireStore(), p)));
connection.onRequest(Requests.createConnection, (p) => announced(addConnection(requireStore(), p)));
connection.onRequest(Requests.updateConnection, (p) => announced(updateConnection(requireStore(), p)));
connection.onRequest(Requests.pauseConnection, (p) => announced(pauseConnection(requireStore(), p)));
connection.onRequest(Requests.modelColumns, async ({ modelId }, token) => {
  try {
    return { ok: true as const, columns: await requireEngine().modelColumns(modelId, signalOf(token)) };
  } catch (err) {
    return syncRefusal(err);
  }
});
connection.onRequest(Requests.updateModel, (p) => announced(updateModel(requireStore(), p)));
connection.onRequest(Requests.deleteModel, (p) => announced(deleteModel(requireStore(), p)));
connection.onRequest(Requests.saveCredentials, (p) => announced(saveCredentials(requireStore(), p)));

function requireEngine(): Engine {
  if (!engine) throw new Error('The engine is not initialised yet.');
  return engine;
}

/** LSP cancellation as an AbortSignal, which the warehouse adapters understand. */
function signalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

// Failures reach the client in the shape each request answers with; errors.ts sorts them, an error it
// does not know is a bug and goes out as the internal error it is.
function asResponseError(err: unknown): never {
  const failure = classify(err);
  if (failure) throw new ResponseError(1, failure.message, { code: failure.kind });
  throw err;
}

function refused(err: unknown): PreviewResult {
  const failure = classify(err);
  if (failure) return { ok: false, error: { kind: 'refused', message: failure.message } };
  throw err;
}

connection.onRequest(Requests.verifyCredentials, async ({ credentialsId, credentials }, token) => {
  try {
    return await requireEngine().verify(
      credentialsId,
      (checks) => void connection.sendNotification(Notifications.verifyProgress, { credentialsId, checks }),
      signalOf(token),
      credentials,
    );
  } catch (err) {
    return asResponseError(err);
  }
});
/** Refusals (no primary key, a mapping naming a missing column, a warehouse error) come back as answers. */
function syncRefusal(err: unknown): { ok: false; message: string } {
  const failure = classify(err);
  if (failure) return { ok: false, message: failure.message };
  throw err;
}

async function runSync(connectionId: string, full: boolean, signal: AbortSignal, failedOnly = false): Promise<SyncOutcome> {
  try {
    const result = await syncConnection(requireEngine(), connectionId, {
      full,
      failedOnly,
      signal,
      onProgress: (sent, total) => void connection.sendNotification(Notifications.syncProgress, { connectionId, sent, total }),
    });
    return { ok: true, result };
  } catch (err) {
    return syncRefusal(err);
  }
}

connection.onRequest(Requests.syncRun, async ({ connectionId, full, failedOnly }, token) => {
  const outcome = await runSync(connectionId, full === true, signalOf(token), failedOnly === true);
  void connection.sendNotification(Notifications.syncFinished, { connectionId, outcome, scheduled: false });
  return outcome;
});

connection.onRequest(Requests.syncPlan, async ({ connectionId, full, limit }, token) => {
  try {
    const plan = await planConnection(requireEngine(), connectionId, { full: full === true, signal: signalOf(token), ...(limit !== undefined ? { limit } : {}) });
    const text = payloadJson(plan, 2);
    // The report once more from its text: a LosslessNumber would cross as an object, not a number.
    return { ok: true as const, plan: JSON.parse(text) as SyncPlanReport, text };
  } catch (err) {
    return syncRefusal(err);
  }
});

connection.onRequest(Requests.syncHistory, async ({ connectionId }, token) => {
  try {
    return { ok: true as const, runs: await syncHistory(requireEngine(), connectionId, signalOf(token)) };
  } catch (err) {
    return syncRefusal(err);
  }
});
connection.onRequest(Requests.syncFailures, async ({ connectionId }, token) => {
  try {
    return { ok: true as const, rows: await syncFailures(requireEngine(), connectionId, signalOf(token)) };
  } catch (err) {
    return syncRefusal(err);
  }
});

connection.onRequest(Requests.exportRun, async (p, token): Promise<ExportOutcome> => {
  if (!(EXPORT_FORMATS as readonly string[]).includes(p.format) || typeof p.path !== 'string' || !path.isAbsolute(p.path)) {
    return { ok: false, kind: 'refused', message: 'An export needs a format (csv or jsonl) and an absolute file path.' };
  }
  const timeoutMs = await previewTimeoutMs();
  try {
    checkExportPath(requireEngine(), p.path);
    const result = await writeFileAtomically(p.path, (target) =>
      exportModel(requireEngine(), { modelId: p.modelId, format: p.format, ...(typeof p.sql === 'string' ? { sql: p.sql } : {}), ...(timeoutMs ? { timeoutMs } : {}) }, target, signalOf(token), (rows) =>
        void connection.sendNotification(Notifications.exportProgress, { exportId: p.exportId, rows }),
      ),
    );
    return { ok: true, ...result, path: p.path };
  } catch (err) {
    if (err instanceof ExportError) {
      const kind = err.error.kind;
      const position = err.error.position ? ` (line ${err.error.position.line}, column ${err.error.position.column})` : '';
      return { ok: false, kind: kind === 'refused' || kind === 'syntax' ? 'refused' : kind === 'cancelled' ? 'cancelled' : 'warehouse', message: `${err.message}${position}` };
    }
    const failure = classify(err);
    if (failure) return { ok: false, kind: failure.kind === 'io' ? 'io' : failure.kind === 'warehouse' ? 'warehouse' : 'refused', message: failure.message };
    throw err;
  }
});

/** The user's preview timeout, read when a preview opens so a changed setting applies at once. */
async function previewTimeoutMs(): Promise<number | undefined> {
  try {
    const seconds = (await connection.workspace.getConfiguration('retl.preview'))?.timeoutSeconds as unknown;
    return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : undefined;
  } catch {
    return undefined; // a client without workspace/configuration
  }
}

connection.onRequest(Requests.previewOpen, async (p, token) => {
  const timeoutMs = p.timeoutMs ?? (await previewTimeoutMs());
  return requireEngine()
    .openPreview({ ...p, ...(timeoutMs ? { timeoutMs } : {}) }, signalOf(token))
    .catch(refused);
});

// "Run Query" and "Verify Credentials" above every model's query file.
connection.onCodeLens(({ textDocument }) => {
  let file: string;
  try {
    file = fileURLToPath(textDocument.uri);
  } catch {
    return [];
  }
  const model = engine?.modelForFile(file);
  if (!model) return [];
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return [
    { range: top, command: { title: `$(play) Run Query (${model.name})`, command: 'retl.runQuery', arguments: [model.id] } },
    { range: top, command: { title: `$(shield) Verify Credentials (${model.credentials})`, command: 'retl.verifyCredentials', arguments: [model.credentials] } },
  ];
});
// "Did you mean": the suggestion of an unknown name, one click away.
connection.onCodeAction((params) => quickFixes(sql.documents.get(params.textDocument.uri), params, versionedEdits));
connection.onRequest(Requests.previewPage, (p, token) => requireEngine().previews.page(p.sessionId, p.page, signalOf(token)));
connection.onRequest(Requests.previewCell, async (p, token) => (await requireEngine().previews.cell(p.sessionId, p.page, p.row, p.column, signalOf(token))) ?? null);
connection.onRequest(Requests.previewClose, (p) => requireEngine().previews.close(p.sessionId));
connection.onNotification(Notifications.secretChanged, ({ credentialsId }) => void requireEngine().warehouses.forget(credentialsId));

connection.onShutdown(async () => {
  // A scheduled run is cancelled and allowed to record how far it got before the connections close.
  await scheduler?.dispose();
  await engine?.dispose();
  await closeDemoWarehouses();
});

connection.listen();
