// A fresh workspace: the welcome view, the New Model wizard on the embedded demo warehouse with its
// three live checks, the model in retl.yaml and the tree, a typo's diagnostic and its quick fix, and Run
// Query paging through rows.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, ui, workspaceDir } from '../ui';

describe('fresh workspace with the demo warehouse', () => {
  it('shows the welcome view with a New Model button', async () => {
    await ui('openView', { title: 'Reverse ETL' });
    await ui('waitText', { selector: '.welcome-view-content', text: 'No models yet' });
    await ui('screenshot', { name: 'welcome' });
  });

  it('creates a model through the wizard: demo warehouse, name, new credentials, three checks, description', async () => {
    await ui('click', { selector: '.welcome-view-content a[title*="New Model"], .welcome-view-content .monaco-button:has-text("New Model")' });
    await ui('waitQuickInput', { text: 'Which warehouse' });
    await ui('type', { text: 'Demo warehouse' });
    await ui('waitQuickInput', { text: 'Model name' });
    await ui('type', { text: 'Churned users', enter: false });
    // The id and file the name gives, shown while typing.
    await ui('waitQuickInput', { text: 'id: churned_users · file: models/churned_users.sql' });
    await ui('press', { key: 'Enter' });
    await ui('waitQuickInput', { text: 'Credentials for Demo warehouse' });
    await ui('type', { text: 'Create credentials' });
    await ui('waitQuickInput', { text: 'An id for these' });
    await ui('press', { key: 'Enter' }); // the proposed id "demo"
    await ui('waitQuickInput', { text: 'All three checks passed', timeout: 90_000 });
    const seen = await ui<{ text: string }>('quickInputText');
    for (const title of ['Verifying connection', 'Able to list schemas', 'Able to access the state schema']) assert.ok(seen.text.includes(title), seen.text);
    assert.equal(seen.text.split('passed ·').length - 1, 3, `three passed checks in: ${seen.text}`);
    await ui('screenshot', { name: 'wizard-verified' });
    await ui('press', { key: 'Enter' });
    await ui('waitQuickInput', { text: 'Description' });
    await ui('type', { text: 'Users who went quiet' });
    // The model exists; its starter query ran and its columns are offered as the key, the first suggested.
    await ui('waitQuickInput', { text: 'Primary key', timeout: 90_000 });
    const keys = await ui<{ text: string }>('quickInputText');
    assert.match(keys.text, /user_id\s*suggested: the first column.*email.*None for now/s);
    await ui('screenshot', { name: 'wizard-primary-key' });
    await ui('press', { key: 'Enter' });

    const file = path.join(workspaceDir(), 'models', 'churned_users.sql');
    await eventually(() => (vscode.window.activeTextEditor?.document.uri.fsPath === file ? true : undefined), 'the query file in the editor');
    const yaml = readFileSync(path.join(workspaceDir(), 'retl.yaml'), 'utf8');
    assert.match(yaml, /- id: demo\n\s+type: demo/);
    assert.match(yaml, /- id: churned_users\n\s+name: Churned users\n\s+description: Users who went quiet\n\s+credentials: demo\n\s+query: models\/churned_users\.sql\n\s+primaryKey: user_id/);
    assert.ok(existsSync(file));
    const state = await (await extensionApi()).state();
    assert.deepEqual(state.models.map((m) => m.id), ['churned_users']);
    await ui('waitText', { selector: '.monaco-list-row', text: 'Churned users' });
    await ui('screenshot', { name: 'model-created' });
  });

  it('shows a diagnostic for a typo typed in the query, and none after the fix', async () => {
    const file = path.join(workspaceDir(), 'models', 'churned_users.sql');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    await ui('click', { selector: '.monaco-editor .view-lines' });
    await ui('press', { key: 'Control+End' });
    await ui('type', { text: "  AND u.emial <> ''", enter: false });
    // The first keystroke after a pause is checked at once, so a half-typed line may show a syntax error
    // first; the check after typing pauses names the column.
    const problems = await eventually(() => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'retl' && x.message.includes('emial'));
      return d.length > 0 ? d : undefined;
    }, 'a diagnostic for the typo', 60_000);
    assert.match(problems[0]!.message, /no column "emial"\. Did you mean "email"\?/);
    assert.equal(problems[0]!.severity, vscode.DiagnosticSeverity.Error);
    await ui('screenshot', { name: 'diagnostic' });
    await ui('press', { key: 'Backspace', times: 9 });
    await ui('type', { text: "ail <> ''", enter: false });
    await eventually(() => (vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'retl').length === 0 ? true : undefined), 'the diagnostic to clear', 30_000);
    await vscode.window.activeTextEditor?.document.save();
  });

  it('replaces a misspelt column with the quick fix the diagnostic offers', async () => {
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'models', 'churned_users.sql'));
    await vscode.window.showTextDocument(uri);
    await ui('click', { selector: '.monaco-editor .view-lines' });
    await ui('press', { key: 'Control+End' });
    await ui('press', { key: 'Enter' });
    await ui('type', { text: '  AND u.full_nmae IS NOT NULL', enter: false });
    await eventually(() => (vscode.languages.getDiagnostics(uri).some((x) => x.source === 'retl' && x.message.includes('"full_nmae"')) ? true : undefined), 'a diagnostic for the typo', 60_000);
    // The cursor into the misspelt name, as a person moves it, and the quick fix from the palette.
    await ui('press', { key: 'ArrowLeft', times: ' IS NOT NULL'.length + 2 });
    await ui('command', { title: 'Quick Fix...' });
    await ui('waitText', { selector: '.action-widget', text: 'Change "full_nmae" to "full_name"' });
    await ui('screenshot', { name: 'quick-fix' });
    await ui('press', { key: 'Enter' });
    const doc = await vscode.workspace.openTextDocument(uri);
    await eventually(() => (doc.getText().includes('  AND u.full_name IS NOT NULL') ? true : undefined), 'the name replaced in the file');
    assert.ok(!doc.getText().includes('nmae'), doc.getText());
    await eventually(() => (vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'retl').length === 0 ? true : undefined), 'the diagnostic to clear', 30_000);
    await doc.save();
  });

  it('runs the query in the model panel: page 1 of 50 rows, then page 2', async () => {
    await ui('command', { title: 'Reverse ETL: Run Query' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–50', timeout: 60_000 });
    const headers = await ui<string>('frameWait', { selector: '#grid thead', text: 'user_id' });
    assert.match(headers, /user_id.*integer.*email.*text/s);
    assert.match(await ui<string>('frameWait', { selector: '#grid th.key', text: 'user_id' }), /PK\s*user_id/, 'the key the wizard set is marked');
    await ui('screenshot', { name: 'panel-page1' });
    await ui('frameClick', { selector: '#next' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 2 · rows 51–100', timeout: 30_000 });
    await ui('screenshot', { name: 'panel-page2' });
  });

  it('a query that fails after a good one shows its error with no rows of the earlier run under it', async () => {
    assert.ok((await ui<number>('frameCount', { selector: '#grid tbody tr' })) > 0, 'rows of the good run first');
    await ui('frameClick', { selector: '#edit' });
    await ui('frameFill', { selector: '#edit-sql', value: 'SELECT no_such_column FROM public.users' });
    await ui('frameClick', { selector: '#run' });
    await ui('frameWait', { selector: '#preview-error', text: 'does not exist', timeout: 60_000 });
    assert.equal(await ui<number>('frameCount', { selector: '#grid' }), 0, 'no grid under the error');
    assert.equal(await ui<number>('frameCount', { selector: '#page-info' }), 0, 'no "Page 1 · rows 1–50" of the earlier run');
    await ui('screenshot', { name: 'panel-failed-after-good' });
    await ui('frameClick', { selector: '#cancel-edit' });
  });
});
