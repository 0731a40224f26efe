// The built language server (dist/server.js) over stdio, as an editor talks to it: diagnostics,
// completion and hover for a model file on the embedded demo warehouse.
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { startLspClient, until, type Diag, type LspClient } from '../helpers/lspClient';
import { useTempDir } from '../helpers/tempDir';

describe('language server over stdio: SQL diagnostics, completion, hover (demo warehouse)', function () {
  this.timeout(90_000);
  const tmp = useTempDir('retl-lsp-sql-');
  let lsp: LspClient;
  let conn: MessageConnection;
  let published: Map<string, Diag[][]>;
  let uri: string;

  beforeEach(async () => {
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      'version: 1\ncredentials:\n  - id: demo\n    type: demo\nmodels:\n  - id: m\n    name: M\n    credentials: demo\n    query: models/m.sql\n    primaryKey: user_id\n',
    );
    mkdirSync(path.join(tmp(), 'models'));
    writeFileSync(path.join(tmp(), 'models', 'm.sql'), '');
    uri = pathToFileURL(path.join(tmp(), 'models', 'm.sql')).toString();
    lsp = await startLspClient(tmp());
    conn = lsp.conn;
    published = lsp.published;
  });

  afterEach(async () => {
    await lsp.stop();
  });

  const latest = () => published.get(uri)?.at(-1);

  it('reports a misspelt column with a suggestion once the catalog is read, and nothing after the fix', async () => {
    const text = 'SELECT u.id AS user_id,\n       u.emial\nFROM public.users AS u\n';
    void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const diags = await until(() => {
      const d = latest();
      return d && d.length > 0 ? d : undefined;
    }, 'a diagnostic for the typo');
    assert.equal(diags.length, 1, JSON.stringify(diags));
    assert.match(diags[0]!.message, /no column "emial"\. Did you mean "email"\?/);
    assert.equal(diags[0]!.severity, 1);
    assert.deepEqual(diags[0]!.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 14 } });
    void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('emial', 'email') }] });
    await until(() => (latest()?.length === 0 ? true : undefined), 'the diagnostic to clear');
  });

  it('offers the suggestion as a preferred quick fix that replaces the misspelt name, only while it is still there', async () => {
    const text = 'SELECT u.id AS user_id,\n       u.emial\nFROM public.users AS u\n';
    lsp.open(uri, text);
    const [diag] = await until(() => (latest()?.length ? latest() : undefined), 'a diagnostic for the typo');
    const ask = (diagnostic: Diag) =>
      conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 1, character: 10 }, end: { line: 1, character: 10 } }, context: { diagnostics: [diagnostic] } }) as Promise<
        { title: string; kind: string; isPreferred: boolean; edit: { documentChanges: { textDocument: { uri: string; version: number }; edits: { range: Diag['range']; newText: string }[] }[] } }[]
      >;
    const actions = await ask(diag!);
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.deepEqual([actions[0]!.title, actions[0]!.kind, actions[0]!.isPreferred], ['Change "emial" to "email"', 'quickfix', true]);
    assert.deepEqual(actions[0]!.edit.documentChanges, [
      { textDocument: { uri, version: 1 }, edits: [{ range: { start: { line: 1, character: 9 }, end: { line: 1, character: 14 } }, newText: 'email' }] },
    ]);
    // Typed over before the fix was picked: the old diagnostic comes back, the name it was about does not.
    void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('emial', 'emai') }] });
    await until(() => (published.get(uri)?.some((d) => d.some((x) => x.message.includes('"emai"'))) ? true : undefined), 'the check of the new text');
    assert.deepEqual(await ask(diag!), []);
  });

  it('says a model file without a statement has no query yet; a SQL file of no model stays silent', async () => {
    lsp.open(uri, '-- to do\n');
    // Until retl.yaml is read the file belongs to no model (nothing to say); then the Error.
    const diags = await until(() => (latest()?.length ? latest() : undefined), 'the check');
    assert.deepEqual(diags.map((d) => [d.severity, d.code, d.range.start]), [[1, 'no-query', { line: 0, character: 0 }]]);
    assert.match(diags[0]!.message, /has no query yet/);
    void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'SELECT 1 AS user_id\n' }] });
    await until(() => (latest()?.length === 0 ? true : undefined), 'the error to clear');
    const other = pathToFileURL(path.join(tmp(), 'scratch.sql')).toString();
    lsp.open(other, '');
    assert.deepEqual(await until(() => lsp.latest(other), 'the check of the other file'), []);
  });

  it('flags a DELETE and a second statement on their lines', async () => {
    void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: 'SELECT 1 AS user_id;\nDELETE FROM public.users\n' } });
    const diags = await until(() => (latest()?.length ? latest() : undefined), 'diagnostics');
    assert.deepEqual(diags.map((d) => [d.code, d.range.start.line]).sort(), [['multiple-statements', 1], ['not-read-only', 1]]);
  });

  it('completes columns of an alias and tables after FROM, with types; hovers show types', async () => {
    const text = 'SELECT u.\nFROM public.users AS u JOIN public.accounts a ON a.id = u.account_id\n';
    void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    await until(() => latest(), 'the first check');
    let columns: { label: string; detail?: string }[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      columns = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 9 } })) as { label: string; detail?: string }[];
      if (columns.some((c) => c.label === 'email')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(columns.map((c) => c.label).sort(), ['account_id', 'created_at', 'email', 'full_name', 'id', 'is_admin', 'last_seen_at', 'country'].sort());
    assert.match(columns.find((c) => c.label === 'email')!.detail!, /^text/);
    const afterFrom = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 5 } })) as { label: string }[];
    assert.ok(afterFrom.some((c) => c.label === 'users') && afterFrom.some((c) => c.label === 'public'), JSON.stringify(afterFrom.map((c) => c.label)));
    const hover = (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 60 } })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? '', /\*\*account_id\*\* `integer`/);
    const tableHover = (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 14 } })) as { contents: { value: string } } | null;
    assert.match(tableHover?.contents.value ?? '', /\*\*public\.users\*\* \(table\)/);
    assert.match(tableHover?.contents.value ?? '', /People who use the product/);
  });

  it('survives a 10,000- and a 20,000-arm UNION ALL and a 10 MB file: Warnings, no false Error, and it answers later requests', async () => {
    const union = (n: number) => `${Array.from({ length: n }, (_, i) => `SELECT ${i} AS user_id`).join('\nUNION ALL ')}\n`;
    const files: [string, string, RegExp][] = [
      ['deep10k.sql', union(10_000), /./],
      ['deep20k.sql', union(20_000), /Too deeply nested to check here.*run it to see the warehouse's verdict/],
      ['huge.sql', `SELECT 1 AS user_id, '${'x'.repeat(10 * 1024 * 1024)}' AS pad\n`, /Too large to check here: 10\.5 MB \(the limit is 1 MB\); run it/],
    ];
    for (const [name, text, expected] of files) {
      void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
      const diags = await until(() => published.get(uri)?.at(-1), `the check of ${name}`, 120_000);
      assert.deepEqual(diags.filter((d) => d.severity === 1), [], `${name}: no Error`);
      if (diags.length) assert.match(diags.map((d) => d.message).join('\n'), expected, name);
      else assert.equal(name, 'deep10k.sql', `${name} must say why it was not checked`);
      const seen = published.get(uri)?.length ?? 0;
      void conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      await until(() => ((published.get(uri)?.length ?? 0) > seen ? true : undefined), 'the diagnostics cleared on close');
      published.delete(uri);
    }
    const state = (await conn.sendRequest('retl/workspace/state')) as { models: unknown[] };
    assert.equal(state.models.length, 1, 'the server still answers');
  });

  it('stops pg_sleep(1000) on the demo warehouse after a 3 s timeout and on cancel, answering other requests meanwhile', async () => {
    const sql = 'select pg_sleep(1000) AS user_id';
    await until(async () => ((await conn.sendRequest('retl/workspace/state')) as { models: unknown[] }).models.length === 1 || undefined, 'the config read');
    const timedOut = conn.sendRequest('retl/preview/open', { modelId: 'm', sql, timeoutMs: 3000 }) as Promise<{ ok: boolean; error?: { kind: string; message: string } }>;
    let answered = 0;
    let settled = false;
    void timedOut.finally(() => (settled = true));
    // Asked while the query runs: answered by the engine before the query ends.
    await new Promise((r) => setTimeout(r, 1000));
    const state = (await conn.sendRequest('retl/workspace/state')) as { models: unknown[] };
    if (!settled) answered++;
    assert.equal(state.models.length, 1);
    const r = await timedOut;
    assert.equal(answered, 1, 'the state request was answered while the query ran');
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'timeout');
    assert.match(r.error?.message ?? '', /timed out after 3 s/);

    const { CancellationTokenSource } = await import('vscode-jsonrpc/node');
    const cts = new CancellationTokenSource();
    const cancelled = conn.sendRequest('retl/preview/open', { modelId: 'm', sql }, cts.token) as Promise<{ ok: boolean; error?: { kind: string } }>;
    await new Promise((res) => setTimeout(res, 1000));
    cts.cancel();
    const c = await cancelled.catch((err: unknown) => ({ ok: false, error: { kind: `rejected: ${(err as Error).message}` } }));
    assert.equal(c.ok, false);
    assert.match(c.error?.kind ?? '', /cancelled|rejected: .*cancel/i);
    const after = (await conn.sendRequest('retl/preview/open', { modelId: 'm', sql: 'SELECT id AS user_id FROM public.users ORDER BY id' })) as { ok: boolean; page?: { rows: unknown[][] } };
    assert.equal(after.ok, true);
    assert.equal(after.page?.rows[0]?.[0], 1);
  });
});
