// Model commands for the palette and the tree's menus. Each asks the engine; none edits retl.yaml itself.
import * as vscode from 'vscode';
import { describeCredentials, type Credentials, type ModelSummary, type WorkspaceState } from '../../protocol/src/config';
import { newModelNameProblem } from '../../protocol/src/names';
import type { EngineClient } from './engineClient';
import { showRefusal } from './feedback';
import type { ModelsTree, TreeNode } from './modelsTree';
import type { CredentialSecrets } from './secrets';
import { credentialSteps, storeSecret, type CredentialAnswers } from './wizard/credentialSteps';
import { MultiStepInput } from './wizard/multiStepInput';
import { runNewModelWizard } from './wizard/newModelWizard';
import { PlanDocuments, previewSync, setPaused, showHistory, syncNow } from './syncCommands';
import { runNewConnectionWizard } from './wizard/newConnectionWizard';
import type { WarehouseCommands } from './warehouseCommands';
import type { ModelPanels } from './modelPanel';
import { exportResults } from './exportCommand';

/** A command's model: from the tree node it was invoked on, else picked by the user. */
async function modelFor(engine: EngineClient, arg: unknown, placeholder: string): Promise<ModelSummary | undefined> {
  const state = await engine.state();
  const node = arg as TreeNode | undefined;
  if (node && typeof node === 'object' && 'model' in node) return state.models.find((m) => m.id === node.model.id);
  if (typeof arg === 'string') return state.models.find((m) => m.id === arg);
  if (state.models.length === 0) {
    void vscode.window.showInformationMessage('There are no models yet. Create one with "Reverse ETL: New Model".');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    state.models.map((m) => ({ label: m.name, description: m.id, detail: m.description, model: m })),
    { placeHolder: placeholder, matchOnDescription: true },
  );
  return chosen?.model;
}

async function renameModel(engine: EngineClient, arg: unknown): Promise<void> {
  const model = await modelFor(engine, arg, 'Model to rename');
  if (!model) return;
  const state = await engine.state();
  const name = await vscode.window.showInputBox({
    title: `Rename "${model.name}"`,
    prompt: `New display name (the id "${model.id}" stays, so connections keep working)`,
    value: model.name,
    validateInput: (v) => newModelNameProblem(v, state.models, model.id),
  });
  if (name === undefined || name.trim() === model.name) return;
  const result = await engine.updateModel({ id: model.id, name });
  if (!result.ok) await showRefusal(result);
}

async function editDescription(engine: EngineClient, arg: unknown): Promise<void> {
  const model = await modelFor(engine, arg, 'Model whose description to edit');
  if (!model) return;
  const description = await vscode.window.showInputBox({
    title: `Description of "${model.name}"`,
    prompt: 'What the rows are and who uses them (empty removes it)',
    value: model.description ?? '',
  });
  if (description === undefined) return;
  const result = await engine.updateModel({ id: model.id, description });
  if (!result.ok) await showRefusal(result);
}

async function openQuery(engine: EngineClient, arg: unknown): Promise<void> {
  const model = await modelFor(engine, arg, 'Model whose query to open');
  if (!model) return;
  const uri = vscode.Uri.file(model.queryPath);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    const create = 'Create File';
    const choice = await vscode.window.showWarningMessage(`${model.query} does not exist.`, create);
    if (choice !== create) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('SELECT 1 AS id\n'));
  }
  await vscode.window.showTextDocument(uri, { preview: false });
}

async function credentialsFor(engine: EngineClient, arg: unknown): Promise<{ state: WorkspaceState; credentials: Credentials } | undefined> {
  const state = await engine.state();
  const node = arg as TreeNode | undefined;
  let id: string | undefined = typeof arg === 'string' ? arg : undefined;
  if (node && typeof node === 'object' && 'model' in node) id = node.model.credentials;
  if (!id) {
    if (state.credentials.length === 0) {
      void vscode.window.showInformationMessage('No credentials yet: the New Model wizard creates them.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      state.credentials.map((c) => ({ label: c.id, description: describeCredentials(c) })),
      { placeHolder: 'Credentials to edit' },
    );
    id = chosen?.label;
  }
  const credentials = state.credentials.find((c) => c.id === id);
  return credentials ? { state, credentials } : undefined;
}

async function editCredentials(engine: EngineClient, secrets: CredentialSecrets, arg: unknown): Promise<void> {
  const found = await credentialsFor(engine, arg);
  if (!found) return;
  const { credentials } = found;
  if (credentials.type === 'demo') {
    void vscode.window.showInformationMessage(`"${credentials.id}" is the embedded demo warehouse: it has nothing to edit.`);
    return;
  }
  const target: CredentialAnswers = { type: credentials.type, id: credentials.id, answers: {} };
  const title = `Edit credentials "${credentials.id}"`;
  const done = await MultiStepInput.run(credentialSteps(title, target, [], undefined, credentials), 8);
  if (!done || !target.credentials) return;
  if (!(await storeSecret((id, s) => secrets.set(id, s), target))) return;
  if (target.secret !== undefined) await engine.secretChanged(credentials.id);
  const result = await engine.saveCredentials({ credentials: target.credentials, create: false });
  if (!result.ok) {
    await showRefusal(result);
    return;
  }
  const users = result.state.models.filter((m) => m.credentials === credentials.id).map((m) => m.name);
  const verify = 'Verify Now';
  const choice = await vscode.window.showInformationMessage(
    `Credentials "${credentials.id}" saved.${users.length ? ` Then run the query of ${users.join(', ')} again to check it still works.` : ''}`,
    verify,
  );
  if (choice === verify) await vscode.commands.executeCommand('retl.verifyCredentials', credentials.id);
}

async function deleteModel(engine: EngineClient, arg: unknown): Promise<void> {
  const model = await modelFor(engine, arg, 'Model to delete');
  if (!model) return;
  if (model.connections.length > 0) {
    const n = model.connections.length;
    void vscode.window.showErrorMessage(
      `"${model.name}" cannot be deleted: ${n === 1 ? 'connection' : 'connections'} ${model.connections.join(', ')} ${n === 1 ? 'uses' : 'use'} it. Remove ${n === 1 ? 'that connection' : 'those connections'} first.`,
    );
    return;
  }
  // A pick list, not a modal dialog: it is keyboard-first, and Escape keeps the model.
  const keepFile = { label: '$(trash) Delete the model', description: `keep ${model.query}`, withFile: false };
  const withFileItem = { label: '$(trash) Delete the model and its query file', description: model.query, withFile: true };
  const cancel = { label: '$(close) Cancel', description: 'keep the model', withFile: undefined };
  const choice = await vscode.window.showQuickPick([cancel, keepFile, withFileItem], {
    title: `Permanently delete the model "${model.name}"?`,
    placeHolder: 'It is removed from retl.yaml; connections can no longer use it',
  });
  if (!choice || choice.withFile === undefined) return;
  const result = await engine.deleteModel({ id: model.id, deleteQueryFile: choice.withFile });
  if (!result.ok) return showRefusal(result);
  // The engine keeps a query file another model also uses: then nothing was removed from disk.
  const sharer = result.state.models.find((m) => m.queryPath === model.queryPath);
  const fileGone = choice.withFile && !sharer;
  let kept = '';
  if (fileGone) {
    // The file is gone: an editor left open on it would save it back. One with unsaved changes stays open
    // (closing would drop them without asking), and the message says so.
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === model.queryPath);
    const dirty = tabs.filter((t) => t.isDirty);
    await vscode.window.tabGroups.close(tabs.filter((t) => !t.isDirty));
    if (dirty.length > 0) kept = ' Its editor has unsaved changes and was left open: saving it would create the file again.';
  }
  void vscode.window.showInformationMessage(
    fileGone
      ? `Deleted the model "${model.name}" from retl.yaml and its query file ${model.query}.${kept}`
      : choice.withFile && sharer
        ? `Deleted the model "${model.name}" from retl.yaml; its query file ${model.query} was kept: the model "${sharer.name}" uses it too.`
        : `Deleted the model "${model.name}" from retl.yaml; its query file ${model.query} was kept.`,
  );
}

async function openConfig(engine: EngineClient, arg: unknown): Promise<void> {
  const state = (arg as WorkspaceState | undefined)?.configPath ? (arg as WorkspaceState) : await engine.state();
  const first = state.problems[0];
  const selection = first ? new vscode.Range(first.line - 1, first.column - 1, first.line - 1, first.column - 1) : undefined;
  const uri = vscode.Uri.file(state.configPath);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showInformationMessage('There is no retl.yaml yet: "New Model" creates it.');
    return;
  }
  await vscode.window.showTextDocument(uri, selection ? { selection } : {});
}

/** From the palette or the tree: the model's open panel exports its last run (what it shows); else the query file. */
async function exportModel(engine: EngineClient, panels: ModelPanels, arg: unknown): Promise<void> {
  const model = await modelFor(engine, arg, 'Model whose results to export');
  if (!model) return;
  const panel = panels.get(model.id);
  if (panel?.hasRun) await panel.exportResults();
  else await exportResults(engine, { modelId: model.id, modelName: model.name });
}

export function registerCommands(
  context: vscode.ExtensionContext,
  engine: EngineClient,
  secrets: CredentialSecrets,
  tree: ModelsTree,
  warehouse: WarehouseCommands,
  panels: ModelPanels,
): void {
  const run = (fn: (arg: unknown) => Promise<void>) => async (arg: unknown) => {
    try {
      await fn(arg);
    } catch (err) {
      void vscode.window.showErrorMessage(`Reverse ETL: ${(err as Error).message}`);
    }
  };
  const plans = new PlanDocuments();
  const commands: Record<string, (arg: unknown) => Promise<void>> = {
    'retl.newModel': () => runNewModelWizard(engine, secrets),
    'retl.renameModel': (a) => renameModel(engine, a),
    'retl.editDescription': (a) => editDescription(engine, a),
    'retl.openQuery': (a) => openQuery(engine, a),
    'retl.editCredentials': (a) => editCredentials(engine, secrets, a),
    'retl.deleteModel': (a) => deleteModel(engine, a),
    'retl.openConfig': (a) => openConfig(engine, a),
    'retl.refresh': async () => tree.update(await engine.state()),
    'retl.verifyCredentials': async (a) => void (await warehouse.verify(a)),
    'retl.runQuery': (a) => warehouse.runQuery(a),
    'retl.openModel': async (a) => {
      const model = await modelFor(engine, a, 'Model to open');
      if (model) await panels.show(model.id);
    },
    'retl.showOutput': async () => warehouse.showOutput(),
    'retl.newConnection': (a) => runNewConnectionWizard(engine, a),
    'retl.syncNow': (a) => syncNow(engine, a, 'changes'),
    'retl.fullSync': (a) => syncNow(engine, a, 'full'),
    'retl.retryFailedRows': (a) => syncNow(engine, a, 'failedOnly'),
    'retl.pauseConnection': (a) => setPaused(engine, a, true),
    'retl.resumeConnection': (a) => setPaused(engine, a, false),
    'retl.showSyncHistory': (a) => showHistory(engine, a),
    'retl.previewSync': (a) => previewSync(engine, plans, a),
    'retl.exportResults': (a) => exportModel(engine, panels, a),
  };
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PlanDocuments.scheme, plans));
  for (const [id, fn] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run(fn)));
}
