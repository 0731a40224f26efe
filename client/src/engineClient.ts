// Starts the engine (the language server) and wraps the typed `retl/...` requests.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { NotificationType, RequestParam, RequestType } from 'vscode-languageserver-protocol';
import type { Credentials, WorkspaceState } from '../../protocol/src/config';
import type { Cell, PreviewResult } from '../../protocol/src/preview';
import type { VerifyResult } from '../../protocol/src/verify';
import type { ExportOutcome, ExportParams, ExportProgress } from '../../protocol/src/export';
import type { ScheduleChecked, SyncFailures, SyncFinished, SyncHistory, SyncOutcome, SyncPlanOutcome, SyncProgress } from '../../protocol/src/sync';
import {
  Notifications,
  Requests,
  type PreviewOpenParams,
  type VerifyProgress,
  type ChangeResult,
  type CreateModelParams,
  type CreateConnectionParams,
  type ModelColumns,
  type UpdateConnectionParams,
  type DeleteModelParams,
  type EngineInitOptions,
  type SaveCredentialsParams,
  type UpdateModelParams,
  type SecretParams,
} from '../../protocol/src/requests';
import type { CredentialSecrets } from './secrets';
import { SECRET_KEY_ENV } from '../../protocol/src/sealedSecret';
import { newChannelKey, seal } from './secretChannel';

type LanguageClientModule = typeof import('vscode-languageclient/node');

/**
 * vscode-languageclient is most of the extension's code, so it is bundled apart (dist/languageclient.js)
 * and loaded right after activation instead of during it: activation stays fast.
 */
function loadLanguageClient(): LanguageClientModule {
  return require(path.join(__dirname, 'languageclient.js')) as LanguageClientModule;
}

export class EngineClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly started: Promise<LanguageClient>;
  private readonly changed = new vscode.EventEmitter<WorkspaceState>();
  /** Fires whenever retl.yaml was loaded or changed, with what the engine now holds. */
  readonly onDidChangeState = this.changed.event;
  private readonly finished = new vscode.EventEmitter<SyncFinished>();
  /** A sync ended: asked for, or run by its schedule. */
  readonly onSyncFinished = this.finished.event;
  private readonly scheduleChecks = new vscode.EventEmitter<ScheduleChecked>();
  /** The engine's scheduler checked the schedules: each scheduled connection's next run. */
  readonly onScheduleChecked = this.scheduleChecks.event;
  private readonly syncing = new vscode.EventEmitter<SyncProgress>();
  /** Rows sent so far by a running sync. */
  readonly onSyncProgress = this.syncing.event;
  private readonly exporting = new vscode.EventEmitter<ExportProgress>();
  /** Rows written so far by a running export. */
  readonly onExportProgress = this.exporting.event;
  private readonly demoStart = new vscode.EventEmitter<string | undefined>();
  /** The demo warehouse is starting (what to tell a user waiting for it), or undefined once it answers. */
  readonly onDemoStarting = this.demoStart.event;
  /** The last thing the engine said of the demo warehouse starting (a run that begins meanwhile shows it). */
  demoStarting: string | undefined;
  private readonly verifying = new vscode.EventEmitter<VerifyProgress>();
  /** The checks of a running verification, after every change. */
  readonly onVerifyProgress = this.verifying.event;

  constructor(context: vscode.ExtensionContext, secrets: CredentialSecrets, output: vscode.LogOutputChannel) {
    this.started = new Promise<LanguageClient>((resolve, reject) => {
      setTimeout(() => this.start(context, secrets, output).then(resolve, reject), 0);
    });
    this.started.catch((err: unknown) => output.error(`The engine did not start: ${(err as Error).message}`));
  }

  private async start(context: vscode.ExtensionContext, secrets: CredentialSecrets, output: vscode.LogOutputChannel): Promise<LanguageClient> {
    const { LanguageClient, TransportKind } = loadLanguageClient();
    const module = context.asAbsolutePath('dist/server.js');
    const secretKey = newChannelKey();
    const env = { ...process.env, [SECRET_KEY_ENV]: secretKey };
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc, options: { env } },
      debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const initializationOptions: EngineInitOptions = {
      demoDataDir: vscode.Uri.joinPath(context.globalStorageUri, 'demo-warehouse').fsPath,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'sql' }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/retl.yaml'), configurationSection: 'retl' },
      initializationOptions,
      outputChannel: output,
    };
    const client = new LanguageClient('retl', 'Reverse ETL engine', serverOptions, clientOptions);
    this.client = client;
    client.onNotification(Notifications.workspaceChanged, (state) => this.changed.fire(state));
    client.onNotification(Notifications.verifyProgress, (p) => this.verifying.fire(p));
    client.onNotification(Notifications.syncProgress, (p) => this.syncing.fire(p));
    client.onNotification(Notifications.exportProgress, (p) => this.exporting.fire(p));
    client.onNotification(Notifications.syncFinished, (p) => this.finished.fire(p));
    client.onNotification(Notifications.scheduleChecked, (p) => this.scheduleChecks.fire(p));
    client.onNotification(Notifications.demoStarting, (p) => {
      this.demoStarting = p.message ?? undefined;
      this.demoStart.fire(this.demoStarting);
    });
    // Sealed: with "retl.trace.server": "verbose" this answer is written to the log.
    client.onRequest(Requests.getSecret, async ({ credentialsId }: SecretParams) => {
      const secret = await secrets.get(credentialsId);
      return secret === undefined ? null : seal(secret, secretKey);
    });
    await client.start();
    return client;
  }

  /** Waits for the engine to start; every request goes through here. */
  private ready(): Promise<LanguageClient> {
    return this.started;
  }

  // The typed objects of protocol/src/requests.ts, built on the language client's own vscode-jsonrpc
  // (client/src/messageTypes.ts stands in for it in this bundle).
  private async request<P, R>(type: RequestType<P, R, unknown>, params: P, token?: vscode.CancellationToken): Promise<R> {
    const client = await this.ready();
    const param = params as RequestParam<P>; // what the generic P is for vscode-jsonrpc's overloads
    // An undefined token would travel as a second parameter.
    return token ? client.sendRequest(type, param, token) : client.sendRequest(type, param);
  }

  private async notify<P>(type: NotificationType<P>, params: P): Promise<void> {
    await (await this.ready()).sendNotification(type, params as RequestParam<P>);
  }

  async state(): Promise<WorkspaceState> {
    return (await this.ready()).sendRequest(Requests.workspaceState);
  }

  async createModel(p: CreateModelParams): Promise<ChangeResult> {
    return this.request(Requests.createModel, p);
  }

  async updateModel(p: UpdateModelParams): Promise<ChangeResult> {
    return this.request(Requests.updateModel, p);
  }

  async deleteModel(p: DeleteModelParams): Promise<ChangeResult> {
    return this.request(Requests.deleteModel, p);
  }

  async saveCredentials(p: SaveCredentialsParams): Promise<ChangeResult> {
    return this.request(Requests.saveCredentials, p);
  }

  /** Cancelling `token` cancels the checks on the warehouse too. */
  async verify(credentialsId: string, token: vscode.CancellationToken, unsaved?: Credentials): Promise<VerifyResult> {
    return this.request(Requests.verifyCredentials, { credentialsId, ...(unsaved ? { credentials: unsaved } : {}) }, token);
  }

  async previewOpen(p: PreviewOpenParams, token: vscode.CancellationToken): Promise<PreviewResult> {
    return this.request(Requests.previewOpen, p, token);
  }

  async previewPage(sessionId: string, page: number, token: vscode.CancellationToken): Promise<PreviewResult> {
    return this.request(Requests.previewPage, { sessionId, page }, token);
  }

  async previewCell(sessionId: string, page: number, row: number, column: number): Promise<Cell | null> {
    return this.request(Requests.previewCell, { sessionId, page, row, column });
  }

  async previewClose(sessionId: string): Promise<void> {
    await this.request(Requests.previewClose, { sessionId });
  }

  async createConnection(p: CreateConnectionParams): Promise<ChangeResult> {
    return this.request(Requests.createConnection, p);
  }

  async updateConnection(p: UpdateConnectionParams): Promise<ChangeResult> {
    return this.request(Requests.updateConnection, p);
  }

  async pauseConnection(id: string, paused: boolean): Promise<ChangeResult> {
    return this.request(Requests.pauseConnection, { id, paused });
  }

  async modelColumns(modelId: string, token: vscode.CancellationToken): Promise<ModelColumns> {
    return this.request(Requests.modelColumns, { modelId }, token);
  }

  /** Cancelling `token` stops the run between batches; what was acknowledged stays acknowledged. */
  async syncRun(connectionId: string, mode: 'changes' | 'full' | 'failedOnly', token: vscode.CancellationToken): Promise<SyncOutcome> {
    return this.request(Requests.syncRun, { connectionId, full: mode === 'full', failedOnly: mode === 'failedOnly' }, token);
  }

  /** Cancelling `token` stops the plan's statement in the warehouse. */
  async syncPlan(connectionId: string, token: vscode.CancellationToken): Promise<SyncPlanOutcome> {
    return this.request(Requests.syncPlan, { connectionId }, token);
  }

  /** Cancelling `token` stops the query on the warehouse and removes the partial file: nothing is written. */
  async exportRun(p: ExportParams, token: vscode.CancellationToken): Promise<ExportOutcome> {
    return this.request(Requests.exportRun, p, token);
  }

  async syncHistory(connectionId: string): Promise<SyncHistory> {
    return this.request(Requests.syncHistory, { connectionId });
  }

  async syncFailures(connectionId: string): Promise<SyncFailures> {
    return this.request(Requests.syncFailures, { connectionId });
  }

  /** Connections made with an old secret are dropped by the engine. */
  async secretChanged(credentialsId: string): Promise<void> {
    await this.notify(Notifications.secretChanged, { credentialsId });
  }

  dispose(): void {
    this.changed.dispose();
    this.verifying.dispose();
    this.syncing.dispose();
    this.exporting.dispose();
    this.finished.dispose();
    this.scheduleChecks.dispose();
    this.demoStart.dispose();
    void this.client?.stop();
  }
}
