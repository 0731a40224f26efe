// A wrong password: the connection check fails with the server's message and the wizard does not go on.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventually, extensionApi, ui, workspaceDir } from '../ui';
import { e2ePostgres, typeCredentials } from '../wizardSteps';

describe('New Model with a wrong password', () => {
  it('fails "Verifying connection" with the message, and cannot go on', async () => {
    const pg = e2ePostgres();
    await ui('openView', { title: 'Reverse ETL' });
    await ui('command', { title: 'Reverse ETL: New Model' });
    await ui('waitQuickInput', { text: 'Which warehouse' });
    await ui('type', { text: 'PostgreSQL' });
    await ui('waitQuickInput', { text: 'Model name' });
    await ui('type', { text: 'Never created' });
    await typeCredentials(pg, 'definitely-wrong');
    await ui('waitQuickInput', { text: 'Verifying connection failed', timeout: 60_000 });
    const seen = await ui<{ text: string; placeholder: string }>('quickInputText');
    assert.match(seen.text, /password authentication failed/);
    assert.match(seen.text, /Verify again/);
    assert.ok(!seen.text.includes('Continue'), 'no way forward while a check fails');
    await ui('screenshot', { name: 'wrong-password' });
    // Enter verifies again, and it fails again.
    await ui('press', { key: 'Enter' });
    // The retry swaps the widget; a person looks at the new result before pressing Escape.
    await new Promise((r) => setTimeout(r, 1500));
    await ui('waitQuickInput', { text: 'Verifying connection failed', timeout: 60_000 });
    await ui('press', { key: 'Escape' });
    await eventually(async () => ((await ui<{ visible: boolean }>('quickInputText')).visible ? undefined : true), 'the wizard to close');
    const api = await extensionApi();
    await eventually(async () => ((await api.hasSecret('postgres_1')) ? undefined : true), 'an abandoned wizard to leave no secret behind', 10_000);
    const state = await api.state();
    assert.deepEqual(state.models, []);
    assert.deepEqual(state.credentials, []);
    assert.ok(!existsSync(path.join(workspaceDir(), 'retl.yaml')) || !readFileSync(path.join(workspaceDir(), 'retl.yaml'), 'utf8').includes('Never created'));
  });
});
