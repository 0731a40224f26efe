// How refusals from the engine reach the user: one message, with a way to the line when retl.yaml is broken.
import * as vscode from 'vscode';
import type { WorkspaceState } from '../../protocol/src/config';
import type { ChangeResult } from '../../protocol/src/requests';

export async function showRefusal(result: Extract<ChangeResult, { ok: false }>, state?: WorkspaceState): Promise<void> {
  if (result.code !== 'configBroken') {
    await vscode.window.showErrorMessage(result.message);
    return;
  }
  const open = 'Open retl.yaml';
  const choice = await vscode.window.showErrorMessage(result.message, open);
  if (choice === open) await vscode.commands.executeCommand('retl.openConfig', state);
}
