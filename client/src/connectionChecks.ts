// Keeps connections in step with their models: after a model's query changes, the columns each
// connection maps are checked against what the query returns now; after a mapping changes in retl.yaml,
// a full sync is offered (the rows already sent carry the old fields until then).
import * as vscode from 'vscode';
import type { Connection, WorkspaceState } from '../../protocol/src/config';
import type { EngineClient } from './engineClient';
import { syncNow } from './syncCommands';
import { withToken } from './cancellation';

/** The mapped columns a model's query no longer returns, per connection of that model. */
export async function checkMappings(engine: EngineClient, modelId: string, modelName: string): Promise<void> {
  const state = await engine.state();
  const connections = state.connections.filter((c) => c.model === modelId && c.destination);
  if (connections.length === 0) return;
  const columns = await withToken((token) => engine.modelColumns(modelId, token));
  if (!columns.ok) {
    void vscode.window.showWarningMessage(`"${modelName}" is used by ${connections.map((c) => c.id).join(', ')}, but its query did not run: ${columns.message}`);
    return;
  }
  const have = new Set(columns.columns);
  const broken = connections
    .map((c) => ({ c, missing: mappedColumns(c).filter((col) => !have.has(col)) }))
    .filter((b) => b.missing.length > 0);
  if (broken.length === 0) return;
  const text = broken.map((b) => `"${b.c.id}" maps ${b.missing.map((m) => `"${m}"`).join(', ')}`).join('; ');
  const open = await vscode.window.showWarningMessage(
    `The query of "${modelName}" no longer returns columns its connections send: ${text}. Their syncs stop before sending anything until the mapping is updated.`,
    'Open retl.yaml',
  );
  if (open) await vscode.commands.executeCommand('retl.openConfig');
}

function mappedColumns(c: Connection): string[] {
  return [...Object.keys(c.mapping ?? {}), c.event?.userIdColumn, c.event?.anonymousIdColumn].filter((x): x is string => !!x);
}

/** Offers a full sync for each connection whose mapping changed between two states of retl.yaml. */
export function offerFullSyncOnMappingChange(engine: EngineClient, before: WorkspaceState | undefined, after: WorkspaceState): void {
  if (!before || after.problems.length > 0) return;
  for (const c of after.connections) {
    const old = before.connections.find((o) => o.id === c.id);
    if (!old || !c.destination || JSON.stringify(old.mapping ?? null) === JSON.stringify(c.mapping ?? null)) continue;
    void vscode.window
      .showInformationMessage(`The mapping of "${c.id}" changed: every row goes out again with the new fields. Send them now?`, 'Full Sync')
      .then((go) => go && syncNow(engine, c.id, 'full'));
  }
}
