// Starts the engine (the language server) and wraps the typed `retl/...` requests.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { WorkspaceState } from '../../protocol/src/config';
import {
  Notifications,
  Requests,
  type ChangeResult,
  type CreateModelParams,
  type DeleteModelParams,
  type EngineInitOptions,
  type SaveCredentialsParams,
  type UpdateModelParams,
} from '../../protocol/src/requests';
import type { CredentialSecrets } from './secrets';

export class EngineClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly started: Promise<void>;
  private readonly changed = new vscode.EventEmitter<WorkspaceState>();
  /** Fires whenever retl.yaml was loaded or changed, with what the engine now holds. */
  readonly onDidChangeState = this.changed.event;

  constructor(context: vscode.ExtensionContext, secrets: CredentialSecrets, output: vscode.LogOutputChannel) {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const initializationOptions: EngineInitOptions = {
      demoDataDir: vscode.Uri.joinPath(context.globalStorageUri, 'demo-warehouse').fsPath,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'sql' }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/retl.yaml') },
      initializationOptions,
      outputChannel: output,
    };
    this.client = new LanguageClient('retl', 'Reverse ETL engine', serverOptions, clientOptions);
    this.client.onNotification(Notifications.workspaceChanged, (state) => this.changed.fire(state));
    this.client.onRequest(Requests.getSecret, async ({ credentialsId }) => (await secrets.get(credentialsId)) ?? null);
    this.started = this.client.start();
  }

  /** Waits for the engine to start; every request goes through here. */
  private async ready(): Promise<LanguageClient> {
    await this.started;
    return this.client;
  }

  async state(): Promise<WorkspaceState> {
    return (await this.ready()).sendRequest(Requests.workspaceState);
  }

  async createModel(p: CreateModelParams): Promise<ChangeResult> {
    return (await this.ready()).sendRequest(Requests.createModel, p);
  }

  async updateModel(p: UpdateModelParams): Promise<ChangeResult> {
    return (await this.ready()).sendRequest(Requests.updateModel, p);
  }

  async deleteModel(p: DeleteModelParams): Promise<ChangeResult> {
    return (await this.ready()).sendRequest(Requests.deleteModel, p);
  }

  async saveCredentials(p: SaveCredentialsParams): Promise<ChangeResult> {
    return (await this.ready()).sendRequest(Requests.saveCredentials, p);
  }

  dispose(): void {
    this.changed.dispose();
    void this.client.stop();
  }
}
