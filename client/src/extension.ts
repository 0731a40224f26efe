// Activation: start the engine, show the Models view, register the commands. Kept cheap: the engine
// starts in the background and the view waits for it.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EngineClient } from './engineClient';
import { ModelsTree } from './modelsTree';
import { CredentialSecrets } from './secrets';
import { WarehouseCommands } from './warehouseCommands';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Reverse ETL', { log: true });
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? context.globalStorageUri;
  const secrets = new CredentialSecrets(context.secrets, folder);
  const engine = new EngineClient(context, secrets, output);
  const tree = new ModelsTree(() => engine.state());
  context.subscriptions.push(
    output,
    engine,
    engine.onDidChangeState((state) => tree.update(state)),
    vscode.window.createTreeView('retl.models', { treeDataProvider: tree, showCollapseAll: true }),
  );
  registerCommands(context, engine, secrets, tree, new WarehouseCommands(engine, output));
}

export function deactivate(): void {
  // The engine client is disposed through context.subscriptions.
}
