// New Model against a real PostgreSQL server with credentials typed into the wizard: the password ends
// up in SecretStorage and in no file of the workspace.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, ui, workspaceDir } from '../ui';
import { e2ePostgres, typeCredentials } from '../wizardSteps';

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('New Model with new PostgreSQL credentials', () => {
  it('verifies typed credentials, creates the model, keeps the password in SecretStorage only (verbose trace on)', async () => {
    const pg = e2ePostgres();
    // The workspace sets "retl.trace.server": "verbose"; the language client traces only at log level Trace.
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    await ui('openView', { title: 'Reverse ETL' });
    await ui('command', { title: 'Reverse ETL: New Model' });
    await ui('waitQuickInput', { text: 'Which warehouse' });
    await ui('type', { text: 'PostgreSQL' });
    await ui('waitQuickInput', { text: 'Model name' });
    await ui('type', { text: 'Big table' });
    await typeCredentials(pg, pg.password);
    await ui('waitQuickInput', { text: 'All three checks passed', timeout: 60_000 });
    await ui('screenshot', { name: 'pg-verified' });
    await ui('press', { key: 'Enter' });
    await ui('waitQuickInput', { text: 'Description' });
    await ui('type', { text: 'One million rows' });

    const api = await extensionApi();
    const state = await eventually(async () => {
      const s = await api.state();
      return s.models.length === 1 ? s : undefined;
    }, 'the new model');
    assert.equal(state.models[0]!.id, 'big_table');
    assert.equal(state.models[0]!.primaryKey, undefined, 'no key from the placeholder query: the user sets it once the query is written');
    const creds = state.credentials.find((c) => c.id === 'postgres_1');
    assert.deepEqual(creds, { id: 'postgres_1', type: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, ssl: 'prefer' });
    assert.equal(await api.hasSecret('postgres_1'), true, 'the password is in SecretStorage');
    const userData = process.env.RETL_E2E_USER_DATA;
    assert.ok(userData, 'RETL_E2E_USER_DATA is set by the driver');
    const logs = path.join(userData, 'logs');
    // The trace really ran and reached the disk: the engine's request for the secret is in it.
    const traced = await eventually(
      () => allFiles(logs).find((f) => /Sending response 'retl\/secrets\/get/.test(readFileSync(f, 'utf8'))),
      'the verbose trace of retl/secrets/get in the logs folder',
      30_000,
    );
    assert.match(readFileSync(traced, 'utf8'), /"sealed"/);
    const searched = [...allFiles(workspaceDir()), ...allFiles(logs), ...allFiles(path.join(userData, 'User', 'globalStorage', 'retl-models.retl-models'))];
    for (const file of searched) {
      assert.ok(!readFileSync(file).includes(pg.password), `the password leaked into ${file}`);
    }
  });
});
