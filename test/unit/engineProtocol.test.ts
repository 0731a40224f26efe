import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { WorkspaceState } from '../../protocol/src/config';
import { Notifications, Requests } from '../../protocol/src/requests';
import { startEngineProcess, type EngineProcess } from '../helpers/engineProcess';
import { SAMPLE_YAML, useTempDir } from '../helpers/tempDir';

/** The built engine (dist/server.js) over stdio, spoken to with the same typed requests the extension sends. */
describe('engine over LSP (dist/server.js)', () => {
  const tmp = useTempDir('retl-lsp-');
  let engine: EngineProcess;
  let conn: MessageConnection;
  let states: WorkspaceState[];
  let diagnostics: { uri: string; diagnostics: { message: string; range: { start: { line: number } } }[] }[];

  beforeEach(async () => {
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML);
    states = [];
    diagnostics = [];
    engine = await startEngineProcess(tmp(), (c) => {
      c.onNotification(Notifications.workspaceChanged.method, (s: unknown) => { states.push(s as WorkspaceState); });
      c.onNotification('textDocument/publishDiagnostics', (d: unknown) => { diagnostics.push(d as (typeof diagnostics)[number]); });
    });
    conn = engine.conn;
  });

  afterEach(() => engine.stop());

  async function until<T>(what: () => T | undefined, label: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = what();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${label}`);
  }

  it('answers the workspace state and applies a rename, announcing the change', async () => {
    await until(() => states[0], 'the first state');
    const state = await conn.sendRequest(Requests.workspaceState.method);
    assert.deepEqual((state as WorkspaceState).models.map((m) => m.id), ['active_users', 'accounts']);
    const r = (await conn.sendRequest(Requests.updateModel.method, { id: 'accounts', name: 'Customers' })) as { ok: boolean };
    assert.equal(r.ok, true);
    const announced = await until(() => states.find((s) => s.models.some((m) => m.name === 'Customers')), 'the change notification');
    assert.ok(announced);
    assert.match(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), /name: Customers/);
  });

  it('reloads on a watched-file change and publishes retl.yaml problems as diagnostics at their line', async () => {
    await until(() => states[0], 'the first state');
    const broken = SAMPLE_YAML.replace('credentials: demo   # sample data', 'credentials: ghost');
    writeFileSync(path.join(tmp(), 'retl.yaml'), broken);
    const uri = pathToFileURL(path.join(tmp(), 'retl.yaml')).toString();
    void conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    const d = await until(() => diagnostics.find((x) => x.uri === uri && x.diagnostics.length > 0), 'diagnostics');
    const line = broken.split('\n').findIndex((l) => l.includes('credentials: ghost'));
    assert.equal(d.diagnostics[0]!.range.start.line, line);
    assert.match(d.diagnostics[0]!.message, /no credentials with id "ghost"/);
    const refused = (await conn.sendRequest(Requests.deleteModel.method, { id: 'accounts', deleteQueryFile: false })) as { ok: boolean; code: string };
    assert.deepEqual([refused.ok, refused.code], [false, 'configBroken']);
    assert.equal(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), broken);
  });
});
