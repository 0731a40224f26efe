// Sync through the built engine (dist/server.js) over stdio, as the extension asks for it: the embedded
// demo warehouse sends its users to a local webhook receiver; progress, history, refusals.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { SyncFailures, SyncHistory, SyncOutcome, SyncProgress } from '../../protocol/src/sync';
import { Requests } from '../../protocol/src/requests';
import { startEngineProcess, type EngineProcess } from '../helpers/engineProcess';
import { startReceiver, type HttpReceiver } from '../helpers/httpReceiver';
import { useTempDir } from '../helpers/tempDir';

describe('sync over the language server protocol (demo warehouse → local webhook)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('retl-lsp-sync-');
  let engine: EngineProcess;
  let conn: MessageConnection;
  let receiver: HttpReceiver;
  let progress: SyncProgress[];

  beforeEach(async () => {
    receiver = await startReceiver();
    mkdirSync(path.join(tmp(), 'models'));
    writeFileSync(path.join(tmp(), 'models', 'users.sql'), 'SELECT id, email, country FROM public.users\n');
    writeFileSync(path.join(tmp(), 'models', 'dups.sql'), 'SELECT CASE WHEN id <= 10 THEN 0 ELSE id END AS id, email FROM public.users\n');
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      `version: 1
credentials:
  - id: demo
    type: demo
models:
  - id: users
    name: Users
    credentials: demo
    query: models/users.sql
    primaryKey: id
  - id: dups
    name: Dups
    credentials: demo
    query: models/dups.sql
    primaryKey: id
destinations:
  - id: hook
    type: webhook
    url: ${receiver.url}/hook
    batchSize: 400
connections:
  - id: users_to_hook
    model: users
    destination: hook
    mapping: { id: user_id, email: email }
  - id: dups_to_hook
    model: dups
    destination: hook
  - id: parked
    model: users
`,
    );
    progress = [];
    engine = await startEngineProcess(tmp(), (c) => {
      c.onNotification('retl/sync/progress', (p: SyncProgress) => void progress.push(p));
      c.onNotification(() => undefined);
      c.onRequest(() => null);
    });
    conn = engine.conn;
    for (let i = 0; i < 100 && !(await conn.sendRequest<{ models: unknown[] }>(Requests.workspaceState.method)).models.length; i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterEach(async () => {
    await engine.stop();
    await receiver.close();
  });

  it('sends every user once with the mapping, reports progress, and keeps a history', async () => {
    const first = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook' });
    assert.ok(first.ok, JSON.stringify(first));
    assert.equal(first.result.added, 2000);
    const items = receiver.requests.flatMap((r) => (r.body as { batch: { key: string; fields: Record<string, unknown> }[] }).batch);
    assert.equal(items.length, 2000);
    assert.deepEqual(Object.keys(items[0]!.fields).sort(), ['email', 'user_id']);
    assert.deepEqual(progress.map((p) => p.sent), [400, 800, 1200, 1600, 2000]);
    const second = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook' });
    assert.ok(second.ok && second.result.added === 0 && second.result.changed === 0, JSON.stringify(second));
    const history = await conn.sendRequest<SyncHistory>(Requests.syncHistory.method, { connectionId: 'users_to_hook' });
    assert.ok(history.ok);
    assert.deepEqual(history.runs.map((r) => [r.added, r.full, r.error]), [[0, false, null], [2000, false, null]]);
    assert.ok(history.runs.every((r) => r.finishedAt !== null));
  });

  it('pauses and resumes a connection in retl.yaml (comments kept); lists the refused rows and retries only them', async () => {
    const yamlPath = path.join(tmp(), 'retl.yaml');
    writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace('  - id: users_to_hook\n', '  # the CRM feed\n  - id: users_to_hook\n'));
    const paused = await conn.sendRequest<{ ok: boolean }>(Requests.pauseConnection.method, { id: 'users_to_hook', paused: true });
    assert.ok(paused.ok, JSON.stringify(paused));
    assert.match(readFileSync(yamlPath, 'utf8'), /# the CRM feed\n\s+- id: users_to_hook\n(.*\n){3}\s+paused: true\n/);
    receiver.answer = (r) => {
      const keys = (r.body as { batch: { key: string }[] }).batch.map((i) => i.key);
      return { status: 200, body: { rejected: keys.filter((k) => k === '5').map((key) => ({ key, reason: 'no such contact' })) } };
    };
    const byHand = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook' });
    assert.ok(byHand.ok && byHand.result.paused === true && byHand.result.failed === 1, JSON.stringify(byHand));
    const failures = await conn.sendRequest<SyncFailures>(Requests.syncFailures.method, { connectionId: 'users_to_hook' });
    assert.ok(failures.ok, JSON.stringify(failures));
    assert.deepEqual(failures.rows.map(({ key, op, reason, attempts }) => ({ key, op, reason, attempts })), [{ key: '5', op: 'insert', reason: 'no such contact', attempts: 1 }]);
    receiver.answer = () => ({ status: 200 });
    const before = receiver.requests.length;
    const retried = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook', failedOnly: true });
    assert.ok(retried.ok && retried.result.failedOnly === true && retried.result.added === 1, JSON.stringify(retried));
    assert.deepEqual(receiver.requests.slice(before).flatMap((q) => (q.body as { batch: { key: string }[] }).batch.map((i) => i.key)), ['5']);
    assert.deepEqual(await conn.sendRequest<SyncFailures>(Requests.syncFailures.method, { connectionId: 'users_to_hook' }), { ok: true, rows: [] });
    const resumed = await conn.sendRequest<{ ok: boolean }>(Requests.pauseConnection.method, { id: 'users_to_hook', paused: false });
    assert.ok(resumed.ok);
    assert.doesNotMatch(readFileSync(yamlPath, 'utf8'), /paused/);
    const missing = await conn.sendRequest<{ ok: boolean; message?: string }>(Requests.pauseConnection.method, { id: 'nope', paused: true });
    assert.deepEqual([missing.ok, missing.message], [false, 'No connection with id "nope".']);
  });

  it('a key in ten rows is reported and not sent; the others go (the demo warehouse counts them)', async () => {
    const r = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'dups_to_hook' });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.result.added, r.result.invalid], [1990, 10]);
    const keys = receiver.requests.flatMap((q) => (q.body as { batch: { key: string }[] }).batch.map((i) => i.key));
    assert.ok(!keys.includes('0') && keys.length === 1990);
  });

  it('a sync cancelled while it delivers records how far it got, and the next run sends the rest', async () => {
    let answered = 0;
    receiver.answer = () => ({ status: 200, delayMs: answered++ === 0 ? 0 : 2000 });
    const { CancellationTokenSource } = await import('vscode-jsonrpc/node');
    const cts = new CancellationTokenSource();
    const cancelled = conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook' }, cts.token);
    await new Promise((r) => setTimeout(r, 1000)); // the first batch was answered, the second waits
    cts.cancel();
    const outcome = await cancelled.catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
    assert.ok(!outcome.ok || outcome.result.error, JSON.stringify(outcome));
    receiver.answer = () => ({ status: 200 });
    const history = await conn.sendRequest<SyncHistory>(Requests.syncHistory.method, { connectionId: 'users_to_hook' });
    assert.ok(history.ok, JSON.stringify(history));
    const [run] = history.runs;
    assert.ok(run?.finishedAt, `the cancelled run is recorded as finished: ${JSON.stringify(run)}`);
    assert.match(run.error ?? '', /Cancel/);
    const next = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook' });
    assert.ok(next.ok, JSON.stringify(next));
    assert.equal(next.result.added, 2000 - (run.added ?? 0), 'the next run sends what the cancelled one did not');
  });

  it('adds a connection to retl.yaml after reading the model\'s columns, and refuses a taken id', async () => {
    const columns = await conn.sendRequest<{ ok: boolean; columns?: string[] }>(Requests.modelColumns.method, { modelId: 'users' });
    assert.deepEqual(columns, { ok: true, columns: ['id', 'email', 'country'] });
    const added = await conn.sendRequest<{ ok: boolean }>(Requests.createConnection.method, {
      id: 'users_to_hook_2',
      model: 'users',
      destination: 'hook',
      mode: 'mirror',
      mapping: { id: 'id', email: 'email' },
    });
    assert.ok(added.ok, JSON.stringify(added));
    const yaml = readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8');
    assert.match(yaml, /- id: users_to_hook_2\n\s+model: users\n\s+destination: hook\n\s+mode: mirror\n\s+mapping:\n\s+id: id\n\s+email: email\n/);
    const taken = await conn.sendRequest<{ ok: boolean; message?: string }>(Requests.createConnection.method, { id: 'users_to_hook', model: 'users', destination: 'hook', mode: 'upsert' });
    assert.deepEqual([taken.ok, taken.message], [false, 'A connection with id "users_to_hook" already exists.']);
    const run = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook_2' });
    assert.ok(run.ok && run.result.added === 2000, JSON.stringify(run));
    const remapped = await conn.sendRequest<{ ok: boolean }>(Requests.updateConnection.method, { id: 'users_to_hook_2', mapping: { id: 'id', email: 'contact_email' } });
    assert.ok(remapped.ok, JSON.stringify(remapped));
    assert.match(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), /- id: users_to_hook_2\n(.*\n){3}\s+mapping:\n\s+id: id\n\s+email: contact_email\n/);
    const noKey = await conn.sendRequest<{ ok: boolean; message?: string }>(Requests.updateConnection.method, { id: 'users_to_hook_2', mapping: { email: 'email' } });
    assert.deepEqual([noKey.ok, noKey.message], [false, 'The primary key "id" must be sent: the destination matches rows on it.']);
    const changedRows = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'users_to_hook_2' });
    assert.ok(changedRows.ok && changedRows.result.changed === 2000, 'a renamed field changes every row sent');
  });

  it('answers a connection without a destination, or an unknown one, with the reason', async () => {
    const parked = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'parked' });
    assert.deepEqual(parked, { ok: false, message: 'Connection "parked" has no destination yet.' });
    const unknown = await conn.sendRequest<SyncOutcome>(Requests.syncRun.method, { connectionId: 'nope' });
    assert.deepEqual(unknown, { ok: false, message: 'No connection with id "nope".' });
    assert.equal(receiver.requests.length, 0);
  });
});
