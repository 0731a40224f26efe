// For desktop VS Code (npm run test:desktop): the extension activates on a workspace with retl.yaml,
// its commands exist, and the engine reads the models. Uses the vscode API only (no UI driver).
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { eventually, extensionApi } from '../ui';

describe('desktop smoke', () => {
  it('activates, registers the commands and lists the models', async () => {
    const api = await extensionApi();
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['retl.newModel', 'retl.renameModel', 'retl.deleteModel', 'retl.verifyCredentials', 'retl.runQuery']) assert.ok(commands.includes(c), c);
    const state = await eventually(async () => {
      const s = await api.state();
      return s.models.length > 0 ? s : undefined;
    }, 'the models');
    assert.deepEqual(state.models.map((m) => m.id), ['active_users', 'accounts_mrr']);
  });
});
