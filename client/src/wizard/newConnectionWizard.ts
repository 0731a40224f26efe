// New Connection: model → destination → mode → the columns to send (read from the model's query as it is
// now) → for RudderStack, the event → an id. The engine writes it to retl.yaml; then Sync Now is offered.
import * as vscode from 'vscode';
import type { Destination, RudderstackEvent, SyncMode, WorkspaceState } from '../../../protocol/src/config';
import { idFromName, idProblem } from '../../../protocol/src/names';
import type { EngineClient } from '../engineClient';
import { syncNow } from '../syncCommands';

const STEPS = 6;
const title = (step: number) => `New Connection (${step}/${STEPS})`;

const MODES: { label: string; mode: SyncMode; detail: string }[] = [
  { label: 'Upsert', mode: 'upsert', detail: 'Send new and changed rows' },
  { label: 'Mirror', mode: 'mirror', detail: 'Also remove rows that left the model (not for RudderStack)' },
  { label: 'Full', mode: 'full', detail: 'Send every row on every run' },
];

function modelOf(state: WorkspaceState, arg: unknown): string | undefined {
  const node = arg as { model?: { id?: string } } | undefined;
  return node?.model?.id ?? (typeof arg === 'string' && state.models.some((m) => m.id === arg) ? arg : undefined);
}

export async function runNewConnectionWizard(engine: EngineClient, arg: unknown): Promise<void> {
  const state = await engine.state();
  if (state.destinations.length === 0) {
    const open = await vscode.window.showInformationMessage(
      'No destination yet. Add one under "destinations" in retl.yaml (webhook, rudderstack or postgres); the README shows each.',
      'Open retl.yaml',
    );
    if (open) await vscode.commands.executeCommand('retl.openConfig');
    return;
  }
  const modelId =
    modelOf(state, arg) ??
    (await vscode.window.showQuickPick(state.models.map((m) => ({ label: m.name, description: m.id, id: m.id, detail: m.primaryKey ? `key: ${m.primaryKey}` : 'no primary key: set one to sync' })), { title: title(1), placeHolder: 'Model whose rows to send' }))?.id;
  if (!modelId) return;
  const model = state.models.find((m) => m.id === modelId)!;
  if (!model.primaryKey) {
    void vscode.window.showWarningMessage(`"${model.name}" has no primaryKey in retl.yaml: a sync needs one to know which rows changed.`);
    return;
  }
  const destination = (
    await vscode.window.showQuickPick(state.destinations.map((d) => ({ label: d.id, description: d.type, detail: describe(d), d })), { title: title(2), placeHolder: 'Destination' })
  )?.d;
  if (!destination) return;
  const modes = destination.type === 'rudderstack' ? MODES.filter((m) => m.mode !== 'mirror') : MODES;
  const mode = (await vscode.window.showQuickPick(modes, { title: title(3), placeHolder: 'What each run sends' }))?.mode;
  if (!mode) return;

  const columns = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Reading the columns of "${model.name}"…`, cancellable: true },
    (_p, token) => engine.modelColumns(model.id, token),
  );
  if (!columns.ok) {
    void vscode.window.showErrorMessage(`Cannot read the columns of "${model.name}": ${columns.message}`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    columns.columns.map((c) => ({ label: c, picked: true, description: c === model.primaryKey ? 'primary key (always sent)' : undefined })),
    { title: title(4), placeHolder: 'Columns to send (each under its own name; rename fields in retl.yaml "mapping")', canPickMany: true },
  );
  if (!picked) return;
  const chosen = new Set([model.primaryKey, ...picked.map((p) => p.label)]);
  const mapping = chosen.size === columns.columns.length ? undefined : Object.fromEntries([...chosen].map((c) => [c, c]));

  let event: RudderstackEvent | undefined;
  if (destination.type === 'rudderstack') {
    event = await askEvent(columns.columns, model.primaryKey);
    if (!event) return;
    if (mapping && event.userIdColumn) mapping[event.userIdColumn] = event.userIdColumn;
  }

  const proposed = idFromName(`${model.id} to ${destination.id}`);
  const id = await vscode.window.showInputBox({
    title: title(6),
    prompt: 'An id for the connection (lowercase letters, digits, _)',
    value: proposed,
    validateInput: (v) => idProblem(v, 'Connection id') ?? (state.connections.some((c) => c.id === v) ? `A connection with id "${v}" already exists.` : undefined),
  });
  if (!id) return;
  const result = await engine.createConnection({ id, model: model.id, destination: destination.id, mode, ...(mapping ? { mapping } : {}), ...(event ? { event } : {}) });
  if (!result.ok) {
    void vscode.window.showErrorMessage(`The connection was not added: ${result.message}`);
    return;
  }
  const go = await vscode.window.showInformationMessage(`Connection "${id}" added: "${model.name}" → ${destination.id} (${mode}).`, 'Sync Now');
  if (go) await syncNow(engine, id, 'changes');
}

function describe(d: Destination): string {
  switch (d.type) {
    case 'webhook':
      return d.url;
    case 'rudderstack':
      return `${d.dataPlaneUrl} (write key from $${d.writeKeyEnv})`;
    case 'postgres':
      return `table ${d.table} with credentials ${d.credentials}`;
  }
}

async function askEvent(columns: string[], primaryKey: string): Promise<RudderstackEvent | undefined> {
  const type = (
    await vscode.window.showQuickPick(
      [
        { label: 'identify', detail: 'Each row updates a user\'s traits' },
        { label: 'track', detail: 'Each row is an event with properties' },
      ],
      { title: title(5), placeHolder: 'RudderStack event type' },
    )
  )?.label as 'identify' | 'track' | undefined;
  if (!type) return undefined;
  const userIdColumn = (await vscode.window.showQuickPick(columns.map((c) => ({ label: c, picked: c === primaryKey })), { title: title(5), placeHolder: 'Column holding the userId' }))?.label;
  if (!userIdColumn) return undefined;
  if (type === 'identify') return { type, userIdColumn };
  const name = await vscode.window.showInputBox({ title: title(5), prompt: 'Event name', validateInput: (v) => (v.trim() ? undefined : 'The event needs a name.') });
  return name ? { type, userIdColumn, name: name.trim() } : undefined;
}
