// Activation: start the engine, show the Models view, register the commands. Kept cheap: the engine
// starts in the background and the view waits for it.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EngineClient } from './engineClient';
import { ModelPanels } from './modelPanel';
import { ModelsTree } from './modelsTree';
import { CredentialSecrets } from './secrets';
import { WarehouseCommands } from './warehouseCommands';
import { summary } from './syncCommands';
import { offerFullSyncOnMappingChange } from './connectionChecks';

/** Only for the end-to-end tests (RETL_E2E=1): lets them check what the UI did. */
export interface RetlTestApi {
  state(): Promise<import('../../protocol/src/config').WorkspaceState>;
  hasSecret(credentialsId: string): Promise<boolean>;
  /** Evaluating the bundle plus running activate(). */
  activationMs: number;
  /** The part of it spent evaluating the bundle. */
  loadMs: number;
}

export function activate(context: vscode.ExtensionContext): RetlTestApi | undefined {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Reverse ETL', { log: true });
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? context.globalStorageUri;
  const secrets = new CredentialSecrets(context.secrets, folder);
  const engine = new EngineClient(context, secrets, output);
  const tree = new ModelsTree(() => engine.state());
  const view = vscode.window.createTreeView('retl.models', { treeDataProvider: tree, showCollapseAll: true });
  const panels = new ModelPanels(context, engine, output);
  const warehouse = new WarehouseCommands(engine, output, panels);
  context.subscriptions.push(
    output,
    engine,
    engine.onDidChangeState((state) => {
      offerFullSyncOnMappingChange(engine, tree.current(), state);
      tree.update(state);
    }),
    engine.onScheduleChecked(({ connections }) => tree.setSchedules(connections)),
    engine.onSyncFinished(({ connectionId, outcome, scheduled }) => {
      tree.setLastRun(connectionId, outcome);
      if (!scheduled) return; // the command that asked for it reports it
      const trouble = !outcome.ok ? outcome.message : outcome.result.error ?? (outcome.result.failed ? `${outcome.result.failed} rows refused by the destination` : undefined);
      if (trouble) void vscode.window.showWarningMessage(`Scheduled sync of "${connectionId}": ${trouble}`, 'Show History').then((a) => a && vscode.commands.executeCommand('retl.showSyncHistory', connectionId));
      else if (outcome.ok) vscode.window.setStatusBarMessage(`$(sync) ${connectionId}: ${summary(outcome.result)}`, 10_000);
    }),
    view,
    panels,
    warehouse,
    vscode.commands.registerCommand('retl.revealConnection', async (modelId: string, connectionId: string) => {
      const model = (await engine.state()).models.find((m) => m.id === modelId);
      if (model) await view.reveal({ kind: 'connection', model, connectionId }, { select: true, focus: true, expand: true });
    }),
  );
  registerCommands(context, engine, secrets, tree, warehouse, panels);
  // Our cost: evaluating the bundle plus running activate(). (The host may run other extensions in
  // between the two, which is not ours to count.)
  const marks = globalThis as { __retlLoadStart?: number; __retlLoadEnd?: number };
  const loadMs = (marks.__retlLoadEnd ?? activateStart) - (marks.__retlLoadStart ?? activateStart);
  const activationMs = loadMs + (performance.now() - activateStart);
  output.info(`Activated in ${activationMs.toFixed(1)} ms (loading the bundle ${loadMs.toFixed(1)} ms); the engine starts in the background.`);
  if (process.env.RETL_E2E !== '1') return undefined;
  // Says whether a secret exists, never what it is.
  return { state: () => engine.state(), hasSecret: async (id) => (await secrets.get(id)) !== undefined, activationMs, loadMs };
}

export function deactivate(): void {
  // The engine client is disposed through context.subscriptions.
}
