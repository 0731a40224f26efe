// For desktop VS Code (npm run test:desktop): the extension activates on a workspace with retl.yaml,
// its commands exist, and the engine reads the models. Uses the vscode API only (no UI driver).
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
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
    assert.ok(api.activationMs > 0);
    // A measurement for bench/, not a timed assertion.
    const dir = process.env.RETL_E2E_RESULTS;
    if (dir) writeFileSync(path.join(dir, 'activation.json'), JSON.stringify({ activationMs: api.activationMs, loadMs: api.loadMs }));
  });
});
