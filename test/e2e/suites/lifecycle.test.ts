// Rename, delete refused while a connection uses the model, delete once it is unused.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, ui, workspaceDir } from '../ui';

const yamlPath = () => path.join(workspaceDir(), 'retl.yaml');

/** Delete Model from the palette, as a person does: the model by name, then one of the choices. */
async function deleteFromPalette(name: string, choice: string): Promise<void> {
  await ui('command', { title: 'Reverse ETL: Delete Model' });
  await ui('waitQuickInput', { text: 'Model to delete' });
  await ui('type', { text: name });
  await ui('waitQuickInput', { text: `Permanently delete the model "${name}"?` });
  await ui('type', { text: choice });
}

describe('model lifecycle', () => {
  it('renames a model from the palette; the id stays', async () => {
    await ui('openView', { title: 'Reverse ETL' });
    await ui('waitText', { selector: '.monaco-list-row', text: 'Active users' });
    await ui('command', { title: 'Reverse ETL: Rename Model' });
    await ui('waitQuickInput', { text: 'Model to rename' });
    await ui('type', { text: 'Active users' });
    await ui('waitQuickInput', { text: 'New display name' });
    await ui('clearInput');
    await ui('type', { text: 'Accounts by MRR', enter: false });
    await ui('waitQuickInput', { text: 'already exists' });
    await ui('clearInput');
    await ui('type', { text: 'Recently active users' });
    await eventually(() => (readFileSync(yamlPath(), 'utf8').includes('name: Recently active users') ? true : undefined), 'the new name in retl.yaml');
    assert.match(readFileSync(yamlPath(), 'utf8'), /- id: active_users\n\s+name: Recently active users/);
    await ui('waitText', { selector: '.monaco-list-row', text: 'Recently active users' });
  });

  it('edits the configuration in the model panel: run the draft, then Finish saves description and query', async () => {
    await ui('command', { title: 'Reverse ETL: Open Model' });
    await ui('waitQuickInput', { text: 'Model to open' });
    await ui('type', { text: 'Accounts by MRR' });
    await ui('frameClick', { selector: '#edit' });
    const sql = 'SELECT a.id AS account_id, a.name, a.mrr\nFROM public.accounts AS a\nORDER BY a.id';
    await ui('frameFill', { selector: '#edit-description', value: 'Every account with its MRR' });
    await ui('frameFill', { selector: '#edit-sql', value: sql });
    await ui('frameClick', { selector: '#run' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–50', timeout: 60_000 });
    await ui('frameWait', { selector: '#grid thead', text: 'mrr' });
    await ui('screenshot', { name: 'edit-configuration' });
    await ui('frameClick', { selector: '#finish' });
    const file = path.join(workspaceDir(), 'models', 'accounts_mrr.sql');
    await eventually(() => (readFileSync(file, 'utf8') === sql ? true : undefined), 'the query file saved');
    await eventually(() => (readFileSync(yamlPath(), 'utf8').includes('description: Every account with its MRR') ? true : undefined), 'the description saved');
    await ui('frameWait', { selector: '#description', text: 'Every account with its MRR' });
  });

  it('refuses to delete a model a connection uses, naming the connection', async () => {
    await ui('command', { title: 'Reverse ETL: Delete Model' });
    await ui('waitQuickInput', { text: 'Model to delete' });
    await ui('type', { text: 'Recently active users' });
    await ui('waitText', { selector: '.notifications-toasts', text: 'cannot be deleted: connection active_users_to_crm uses it' });
    await ui('screenshot', { name: 'delete-refused' });
    assert.match(readFileSync(yamlPath(), 'utf8'), /- id: active_users\n/);
  });

  it('deletes the model once no connection uses it', async () => {
    writeFileSync(yamlPath(), readFileSync(yamlPath(), 'utf8').replace(/connections:\n[\s\S]*$/, 'connections: []\n'));
    const api = await extensionApi();
    await eventually(async () => ((await api.state()).connections.length === 0 ? true : undefined), 'the reload after the external edit');
    await deleteFromPalette('Recently active users', 'Delete the model'); // the first match keeps the query file
    const file = path.join(workspaceDir(), 'models', 'active_users.sql');
    await eventually(() => (!readFileSync(yamlPath(), 'utf8').includes('id: active_users') ? true : undefined), 'the model gone from retl.yaml');
    assert.deepEqual((await api.state()).models.map((m) => m.id), ['accounts_mrr']);
    assert.ok(existsSync(file), 'the query file stays unless asked');
  });

  it('deleting a model "with its query file" that another model also uses keeps the file and its editor, and says why', async () => {
    const file = path.join(workspaceDir(), 'models', 'accounts_mrr.sql');
    writeFileSync(yamlPath(), readFileSync(yamlPath(), 'utf8').replace('models:\n', 'models:\n  - id: shared_copy\n    name: Shared copy\n    credentials: demo\n    query: models/accounts_mrr.sql\n'));
    const api = await extensionApi();
    await eventually(async () => ((await api.state()).models.some((m) => m.id === 'shared_copy') ? true : undefined), 'the model sharing the file');
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    await deleteFromPalette('Shared copy', 'Delete the model and its query file');
    await ui('waitText', { selector: '.notifications-toasts', text: 'its query file models/accounts_mrr.sql was kept: the model "Accounts by MRR" uses it too' });
    assert.ok(existsSync(file), 'the shared file stays');
    assert.ok(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file), 'its editor stays open');
  });

  it('deletes a model with its query file: the file\'s editor closes and a message says what was removed', async () => {
    const file = path.join(workspaceDir(), 'models', 'accounts_mrr.sql');
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    const open = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file);
    assert.ok(open(), 'the query file is open first');
    await deleteFromPalette('Accounts by MRR', 'Delete the model and its query file');
    await ui('waitText', { selector: '.notifications-toasts', text: 'Deleted the model "Accounts by MRR" from retl.yaml and its query file models/accounts_mrr.sql' });
    await eventually(() => (!existsSync(file) ? true : undefined), 'the query file removed');
    await eventually(() => (!open() ? true : undefined), 'its editor closed');
    await ui('screenshot', { name: 'deleted-with-file' });
  });
});
