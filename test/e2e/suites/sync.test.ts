// Sync from the real VS Code: a connection from the demo warehouse to a local webhook receiver, Sync Now
// from the palette with its progress and result, the last run on the connection's node, Show Sync History;
// Preview Sync before the first run.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startReceiver, type HttpReceiver } from '../../helpers/httpReceiver';
import { eventually, extensionApi, ui, workspaceDir } from '../ui';

describe('sync in VS Code', () => {
  let receiver: HttpReceiver;

  before(async () => {
    receiver = await startReceiver();
    const yaml = path.join(workspaceDir(), 'retl.yaml');
    const text = readFileSync(yaml, 'utf8').replace(
      'connections: []\n',
      `destinations:
  - id: crm_hook
    type: webhook
    url: ${receiver.url}/hook
    batchSize: 500
connections:
  - id: active_users_to_crm
    model: active_users
    destination: crm_hook
    mode: mirror
`,
    );
    writeFileSync(yaml, text);
    const api = await extensionApi();
    await eventually(async () => ((await api.state()).connections.length === 1 ? true : undefined), 'the connection in the engine');
  });

  after(() => receiver?.close());

  it('Preview Sync shows what the first run would send, in a read-only document, and sends nothing', async () => {
    await ui('command', { title: 'Reverse ETL: Preview Sync' });
    await ui('waitQuickInput', { text: 'Connection' });
    await ui('type', { text: 'active_users_to_crm' });
    const toast = await ui<string>('waitText', { selector: '.notifications-toasts', text: 'Nothing was sent', timeout: 90_000 });
    assert.match(toast, /next run: \d+ to insert, 0 to update, 0 to delete \(0% of 0 synced\)/);
    await ui('waitText', { selector: '.monaco-editor .view-lines', text: '"samples"' });
    await ui('screenshot', { name: 'preview-sync' });
    assert.equal(receiver.requests.length, 0, 'nothing reached the receiver');
  });

  it('Sync Now from the palette sends the model\'s rows and shows the result', async () => {
    await ui('openView', { title: 'Reverse ETL' });
    await ui('command', { title: 'Reverse ETL: Sync Now' });
    await ui('waitQuickInput', { text: 'Connection' });
    await ui('type', { text: 'active_users_to_crm' });
    await ui('waitText', { selector: '.notifications-toasts', text: 'run 1', timeout: 90_000 });
    const items = receiver.requests.flatMap((r) => (r.body as { batch: { op: string; key: string }[] }).batch);
    assert.ok(items.length > 0, 'rows reached the receiver');
    assert.equal(new Set(items.map((i) => i.key)).size, items.length, 'each row once');
    assert.ok(items.every((i) => i.op === 'upsert'));
    const toast = await ui<string>('waitText', { selector: '.notifications-toasts', text: `${items.length} added` });
    assert.match(toast, /0 changed, 0 removed/);
    await ui('screenshot', { name: 'sync-now' });
  });

  it('the connection node shows its destination and last run; Show Sync History lists the run', async () => {
    await ui('click', { selector: '.monaco-list-row:has-text("Active users") .monaco-tl-twistie' });
    await ui('click', { selector: '.monaco-list-row:has-text("Connections (1)") .monaco-tl-twistie' });
    // Tree rows, not the rows of the (hidden) quick pick that also named the connection.
    const row = await ui<string>('waitText', { selector: '.pane-body .monaco-list-row', text: 'active_users_to_crm' });
    assert.match(row, /→ crm_hook · mirror · \d\d:\d\d( [AP]M)?: \d+ rows sent/);
    await ui('screenshot', { name: 'sync-tree' });
    await ui('command', { title: 'Reverse ETL: Show Sync History' });
    await ui('waitQuickInput', { text: 'Connection' });
    await ui('type', { text: 'active_users_to_crm' });
    await ui('waitQuickInput', { text: 'Run 1' });
    const seen = await ui<{ text: string }>('quickInputText');
    assert.match(seen.text, /added · 0 changed · 0 removed · 0 failed/);
    await ui('press', { key: 'Escape' });
  });

  it('a changed mapping offers a full sync; a query that drops a mapped column is named', async () => {
    const yaml = path.join(workspaceDir(), 'retl.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('    mode: mirror\n', '    mode: mirror\n    mapping: { user_id: id, email: email }\n'));
    // The engine hears of the change through VS Code's file watcher, which is slow on a loaded machine: wait
    // for the state the toast is about, then for the toast.
    const api = await extensionApi();
    await eventually(async () => ((await api.state()).connections[0]?.mapping?.email === 'email' ? true : undefined), 'the new mapping in the engine', 90_000);
    await ui('waitText', { selector: '.notifications-toasts', text: 'The mapping of "active_users_to_crm" changed', timeout: 60_000 });
    await ui('screenshot', { name: 'sync-mapping-changed' });
    await ui('command', { title: 'Reverse ETL: Open Model' });
    await ui('waitQuickInput', { text: 'Model to open' });
    await ui('type', { text: 'Active users' });
    await ui('frameClick', { selector: '#edit' });
    const query = 'SELECT u.id AS user_id, u.full_name\nFROM public.users AS u';
    await ui('frameFill', { selector: '#edit-sql', value: query });
    // The draft is what Run and Finish send: it must hold the text before they are pressed.
    await ui('frameWaitValue', { selector: '#edit-sql', value: query });
    await ui('frameClick', { selector: '#run' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–50', timeout: 60_000 });
    await ui('frameClick', { selector: '#finish' });
    const warning = await ui<string>('waitText', { selector: '.notifications-toasts', text: 'no longer returns columns', timeout: 60_000 });
    assert.match(warning, /"active_users_to_crm" maps "email"/);
  });
});
