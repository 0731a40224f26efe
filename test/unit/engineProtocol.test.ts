import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { WorkspaceState } from '../../protocol/src/config';
import { Notifications, Requests } from '../../protocol/src/requests';
import { REPO } from '../helpers/cli';
import { SAMPLE_YAML, useTempDir } from '../helpers/tempDir';

/** The built engine (dist/server.js) over stdio, spoken to with the same typed requests the extension sends. */
describe('engine over LSP (dist/server.js)', () => {
  const tmp = useTempDir('retl-lsp-');
  let child: ChildProcess;
  let conn: MessageConnection;
  let states: WorkspaceState[];
  let diagnostics: { uri: string; diagnostics: { message: string; range: { start: { line: number } } }[] }[];

  beforeEach(async () => {
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML);
    child = spawn(process.execPath, [path.join(REPO, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    states = [];
    diagnostics = [];
    conn.onNotification(Notifications.workspaceChanged.method, (s: unknown) => { states.push(s as WorkspaceState); });
    conn.onNotification('textDocument/publishDiagnostics', (d: unknown) => { diagnostics.push(d as (typeof diagnostics)[number]); });
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(tmp()).toString(),
      capabilities: {},
      initializationOptions: { demoDataDir: path.join(tmp(), '.retl', 'demo') },
    });
    conn.sendNotification('initialized', {});
  });

  afterEach(async () => {
    await conn.sendRequest('shutdown').catch(() => undefined);
    conn.sendNotification('exit');
    conn.dispose();
    child.kill();
  });

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
    conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    const d = await until(() => diagnostics.find((x) => x.uri === uri && x.diagnostics.length > 0), 'diagnostics');
    const line = broken.split('\n').findIndex((l) => l.includes('credentials: ghost'));
    assert.equal(d.diagnostics[0]!.range.start.line, line);
    assert.match(d.diagnostics[0]!.message, /no credentials with id "ghost"/);
    const refused = (await conn.sendRequest(Requests.deleteModel.method, { id: 'accounts', deleteQueryFile: false })) as { ok: boolean; code: string };
    assert.deepEqual([refused.ok, refused.code], [false, 'configBroken']);
    assert.equal(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), broken);
  });
});
