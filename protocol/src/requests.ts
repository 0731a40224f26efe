// The custom LSP requests between the extension (client) and the engine (server).
// Declared once here, the way vscode-eslint and rust-analyzer's lsp_ext.ts do, so a name or a
// payload shape cannot drift between the two sides.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Credentials, WorkspaceState } from './config';

/** What the extension hands the engine when it starts it. */
export interface EngineInitOptions {
  /** Folder for the demo warehouse's data, kept between sessions so seeding runs once. */
  demoDataDir: string;
}

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

export const Requests = {
  workspaceState: new RequestType0<WorkspaceState, void>('retl/workspace/state'),
  createModel: new RequestType<CreateModelParams, ChangeResult, void>('retl/models/create'),
  updateModel: new RequestType<UpdateModelParams, ChangeResult, void>('retl/models/update'),
  deleteModel: new RequestType<DeleteModelParams, ChangeResult, void>('retl/models/delete'),
  saveCredentials: new RequestType<SaveCredentialsParams, ChangeResult, void>('retl/credentials/save'),
  /** Engine → client: the secret of a credentials entry from SecretStorage, kept in memory only. */
  getSecret: new RequestType<SecretParams, string | null, void>('retl/secrets/get'),
} as const;

export const Notifications = {
  /** Engine → client: retl.yaml changed (by us or on disk); carries the new state. */
  workspaceChanged: new NotificationType<WorkspaceState>('retl/workspace/changed'),
} as const;
