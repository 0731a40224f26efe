// The custom LSP requests between the extension (client) and the engine (server).
// Declared once here, the way vscode-eslint and rust-analyzer's lsp_ext.ts do, so a name or a
// payload shape cannot drift between the two sides.
import type { SealedSecret } from './sealedSecret';
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Credentials, RudderstackEvent, SyncMode, WorkspaceState } from './config';
import type { ExportOutcome, ExportParams, ExportProgress } from './export';
import type { Cell, PreviewResult } from './preview';
import type { CheckResult, VerifyResult } from './verify';
import type { ScheduleChecked, SyncFailures, SyncFinished, SyncHistory, SyncOutcome, SyncParams, SyncPlanOutcome, SyncPlanParams, SyncProgress } from './sync';

/** What the extension hands the engine when it starts it. */
export interface EngineInitOptions {
  /** Folder for the demo warehouse's data, kept between sessions so seeding runs once. */
  demoDataDir: string;
}

export interface CreateConnectionParams {
  id: string;
  model: string;
  destination: string;
  mode: SyncMode;
  /** Model column → destination field; omitted: every column under its own name. */
  mapping?: Record<string, string>;
  event?: RudderstackEvent;
}

/** Pause or resume a connection: `paused: true` in retl.yaml, or the key removed. */
export interface PauseConnectionParams {
  id: string;
  paused: boolean;
}

export interface UpdateConnectionParams {
  id: string;
  /** The new mapping; null sends every column under its own name. */
  mapping: Record<string, string> | null;
}

/** The columns a model's query returns now (from running it, read only), or why it could not run. */
export type ModelColumns = { ok: true; columns: string[] } | { ok: false; message: string };

/** Why a change to retl.yaml was refused. */
export type RefusalCode =
  | 'invalid' // the input breaks a rule (bad id, empty name, unknown credentials...)
  | 'conflict' // the id or name is taken
  | 'notFound' // no such model / credentials
  | 'inUse' // a connection still uses the model
  | 'configBroken' // retl.yaml does not parse; it is never overwritten
  | 'io'; // the file could not be written

export type ChangeResult =
  | { ok: true; state: WorkspaceState }
  | { ok: false; code: RefusalCode; message: string; usedBy?: string[] };

export interface CreateModelParams {
  id: string;
  name: string;
  description?: string;
  credentials: string;
  /** Path relative to retl.yaml's folder; defaults to `models/<id>.sql`. */
  query?: string;
  primaryKey?: string;
  /** Written to the query file when it does not exist yet. */
  initialSql?: string;
}

export interface UpdateModelParams {
  id: string;
  name?: string;
  description?: string;
  credentials?: string;
  /** An empty string removes the primary key. */
  primaryKey?: string;
  /** New text of the model's query file (written atomically by the engine). */
  sql?: string;
}

export interface DeleteModelParams {
  id: string;
  deleteQueryFile: boolean;
}

export interface SaveCredentialsParams {
  credentials: Credentials;
  /** True when adding: an existing id is then a conflict. False replaces the entry with that id. */
  create: boolean;
}

export interface SecretParams {
  credentialsId: string;
}

export interface CredentialsParams {
  credentialsId: string;
}

export interface VerifyParams {
  credentialsId: string;
  /** Credentials not yet written to retl.yaml (the New Model wizard checks them before saving). */
  credentials?: Credentials;
}

export interface VerifyProgress {
  credentialsId: string;
  checks: CheckResult[];
}

export interface PreviewOpenParams {
  modelId?: string;
  /** Credentials for SQL that belongs to no model. */
  credentialsId?: string;
  /** The text to run, e.g. the editor's unsaved buffer; defaults to the model's query file. */
  sql?: string;
  /** Per-statement limit; defaults to the retl.preview.timeoutSeconds setting. */
  timeoutMs?: number;
}

export interface PreviewPageParams {
  sessionId: string;
  page: number;
}

export interface PreviewCellParams {
  sessionId: string;
  page: number;
  row: number;
  column: number;
}

export interface PreviewCloseParams {
  sessionId: string;
}

// Long requests (verify, preview open and page) are cancelled with LSP's own $/cancelRequest, which
// the engine passes down to the warehouse (pg_cancel_backend, Snowflake's abort-request).
export const Requests = {
  workspaceState: new RequestType0<WorkspaceState, void>('retl/workspace/state'),
  createModel: new RequestType<CreateModelParams, ChangeResult, void>('retl/models/create'),
  updateModel: new RequestType<UpdateModelParams, ChangeResult, void>('retl/models/update'),
  deleteModel: new RequestType<DeleteModelParams, ChangeResult, void>('retl/models/delete'),
  saveCredentials: new RequestType<SaveCredentialsParams, ChangeResult, void>('retl/credentials/save'),
  verifyCredentials: new RequestType<VerifyParams, VerifyResult, void>('retl/verifyCredentials'),
  previewOpen: new RequestType<PreviewOpenParams, PreviewResult, void>('retl/preview/open'),
  previewPage: new RequestType<PreviewPageParams, PreviewResult, void>('retl/preview/page'),
  /** The whole value of a cell that the page carried truncated. */
  previewCell: new RequestType<PreviewCellParams, Cell | null, void>('retl/preview/cell'),
  previewClose: new RequestType<PreviewCloseParams, void, void>('retl/preview/close'),
  /**
   * Engine → client: the secret of a credentials entry from SecretStorage, sealed with the key of this
   * engine process (sealedSecret.ts) so traces never show it; kept in memory only.
   */
  getSecret: new RequestType<SecretParams, SealedSecret | null, void>('retl/secrets/get'),
  createConnection: new RequestType<CreateConnectionParams, ChangeResult, void>('retl/connections/create'),
  modelColumns: new RequestType<{ modelId: string }, ModelColumns, void>('retl/models/columns'),
  updateConnection: new RequestType<UpdateConnectionParams, ChangeResult, void>('retl/connections/update'),
  pauseConnection: new RequestType<PauseConnectionParams, ChangeResult, void>('retl/connections/pause'),
  /** Runs one sync of a connection; cancelling stops it between batches (nothing acknowledged is lost). */
  syncRun: new RequestType<SyncParams, SyncOutcome, void>('retl/sync/run'),
  /** The rows a connection's destination refused and no run has got acknowledged since. */
  syncFailures: new RequestType<{ connectionId: string }, SyncFailures, void>('retl/sync/failures'),
  /** The last runs of a connection, newest first. */
  syncHistory: new RequestType<{ connectionId: string }, SyncHistory, void>('retl/sync/history'),
  /** What the next run would send, row by row; nothing is sent. Cancelling stops it in the warehouse. */
  syncPlan: new RequestType<SyncPlanParams, SyncPlanOutcome, void>('retl/sync/plan'),
  /**
   * Writes a model's whole result to a file, streamed from one read-only cursor; cancelling stops it on
   * the warehouse and removes what was written.
   */
  exportRun: new RequestType<ExportParams, ExportOutcome, void>('retl/export/run'),
} as const;

export const Notifications = {
  /** Engine → client: retl.yaml changed (by us or on disk); carries the new state. */
  workspaceChanged: new NotificationType<WorkspaceState>('retl/workspace/changed'),
  /** Engine → client: the checks of a running verification, after every change. */
  verifyProgress: new NotificationType<VerifyProgress>('retl/verifyCredentials/progress'),
  /** Client → engine: a secret in SecretStorage changed; connections made with the old one are dropped. */
  secretChanged: new NotificationType<CredentialsParams>('retl/secrets/changed'),
  /** Engine → client: rows sent so far by a running sync. */
  syncProgress: new NotificationType<SyncProgress>('retl/sync/progress'),
  /** Engine → client: a sync ended, with its outcome (the tree shows the last run of each connection). */
  syncFinished: new NotificationType<SyncFinished>('retl/sync/finished'),
  /**
   * Engine → client: the demo warehouse is starting (what to tell a user whose query waits for it), or
   * null once it answers.
   */
  demoStarting: new NotificationType<{ message: string | null }>('retl/demo/starting'),
  /** After every check of the schedules: each scheduled connection's next run. */
  scheduleChecked: new NotificationType<ScheduleChecked>('retl/schedule/checked'),
  /** Engine → client: rows an export has written so far. */
  exportProgress: new NotificationType<ExportProgress>('retl/export/progress'),
} as const;
