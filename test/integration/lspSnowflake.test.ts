// The language server over stdio on Snowflake models, its catalog read from the Snowflake EMULATOR
// (fakesnow) through the real snowflake-sdk: a syntax error is an Error on its line, the valid corpus
// gives none, an unknown column is named with a suggestion and its quick fix, completion after "u." lists
// the aliased table's columns. The emulator's tables are the test catalog's (test/fixtures/sql/catalog.json).
// Once the catalog is read, what polyglot refuses goes to the warehouse's EXPLAIN; fakesnow's is DuckDB's,
// not Snowflake's, so the corpus runs in a workspace whose credentials reach no warehouse (local verdicts).
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSnowflakeSdk } from '../../server/src/warehouse/snowflake/loadSnowflakeSdk';
import { REPO } from '../helpers/cli';
import { startLspClient, until, type LspClient } from '../helpers/lspClient';
import { corpus, FIXTURES } from '../helpers/sqlCorpus';
import { useTempDir } from '../helpers/tempDir';

type Emulator = { url: string; stop(): Promise<void> };

/** The test catalog's Snowflake tables, created in a database of the emulator. */
async function createFixtureTables(url: string, database: string): Promise<void> {
  const raw = JSON.parse(readFileSync(path.join(FIXTURES, 'catalog.json'), 'utf8')) as { snowflake: Record<string, Record<string, string[]>> };
  const statements = [`CREATE DATABASE ${database}`];
  for (const [schema, tables] of Object.entries(raw.snowflake)) {
    statements.push(`CREATE SCHEMA ${database}.${schema}`);
    for (const [table, columns] of Object.entries(tables)) statements.push(`CREATE TABLE ${database}.${schema}.${table} (${columns.join(', ')})`);
  }
  const sdk = await loadSnowflakeSdk();
  const conn = sdk.createConnection({ account: 'emulator', username: 'ADMIN', password: 'x', accessUrl: url });
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  try {
    for (const sqlText of statements) await new Promise<void>((resolve, reject) => conn.execute({ sqlText, complete: (err) => (err ? reject(err) : resolve()) }));
  } finally {
    await new Promise<void>((resolve) => conn.destroy(() => resolve()));
  }
}

function workspace(dir: string, accessUrl: string, database: string): string {
  writeFileSync(
    path.join(dir, 'retl.yaml'),
    `version: 1\ncredentials:\n  - id: sf\n    type: snowflake\n    account: emulator\n    user: RETL\n    warehouse: RETL_WH\n    database: ${database}\n    accessUrl: ${accessUrl}\n    passwordEnv: RETL_SF_PW\nmodels:\n  - id: m\n    name: M\n    credentials: sf\n    query: models/m.sql\n    primaryKey: ID\n`,
  );
  mkdirSync(path.join(dir, 'models'), { recursive: true });
  writeFileSync(path.join(dir, 'models', 'm.sql'), '');
  return pathToFileURL(path.join(dir, 'models', 'm.sql')).toString();
}

describe('language server over stdio: Snowflake models (catalog from the Snowflake emulator)', function () {
  this.timeout(180_000);
  const tmp = useTempDir('retl-lsp-sf-');
  let emulator: Emulator;
  let lsp: LspClient | undefined;
  const database = `LSP_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;

  before(async () => {
    const { startSnowflakeEmulator } = (await import(path.join(REPO, 'scripts', 'snowflakeEmulator.mjs'))) as { startSnowflakeEmulator(): Promise<Emulator> };
    emulator = await startSnowflakeEmulator();
    await createFixtureTables(emulator.url, database);
    process.env.RETL_SF_PW = 'any-password';
  });

  after(async () => {
    await emulator?.stop();
  });

  afterEach(async () => {
    await lsp?.stop();
    lsp = undefined;
  });

  /** Opens `text` and waits for the first diagnostics that `ready` accepts. */
  async function check(uri: string, text: string, ready: (d: NonNullable<ReturnType<LspClient['latest']>>) => boolean, version = 1) {
    const seen = lsp!.published.get(uri)?.length ?? 0;
    if (version === 1) lsp!.open(uri, text);
    else void lsp!.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return until(() => {
      const all = lsp!.published.get(uri) ?? [];
      return all.slice(seen).find(ready);
    }, 'diagnostics');
  }

  it('names an unknown column with a suggestion once the catalog is read, and completes the columns after "u."', async () => {
    const uri = workspace(tmp(), emulator.url, database);
    lsp = await startLspClient(tmp());
    const text = 'SELECT u.ID,\n       u.EMIAL,\n       COUNTRYY\nFROM PUBLIC.USERS u\n';
    const diags = await check(uri, text, (d) => d.length >= 2);
    assert.deepEqual(
      diags.map((d) => [d.severity, d.code, d.range.start.line, d.message]),
      [
        [1, 'unknown-column', 1, 'Unknown column "EMIAL" in USERS (u). Did you mean "EMAIL"?'],
        [1, 'unknown-column', 2, 'Unknown column "COUNTRYY". Did you mean "COUNTRY"?'],
      ],
    );
    // Each suggestion is a quick fix that writes it over the misspelt name.
    const fixes = (await lsp.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
      context: { diagnostics: diags },
    })) as { title: string; isPreferred: boolean; edit: { documentChanges: { edits: { range: { start: { line: number; character: number } }; newText: string }[] }[] } }[];
    assert.deepEqual(
      fixes.map((f) => [f.title, f.isPreferred, f.edit.documentChanges[0]!.edits.map((e) => [e.range.start, e.newText])]),
      [
        ['Change "EMIAL" to "EMAIL"', true, [[{ line: 1, character: 9 }, 'EMAIL']]],
        ['Change "COUNTRYY" to "COUNTRY"', true, [[{ line: 2, character: 7 }, 'COUNTRY']]],
      ],
    );
    const fixed = await check(uri, text.replace('EMIAL', 'EMAIL').replace('COUNTRYY', 'COUNTRY'), (d) => d.length === 0, 2);
    assert.deepEqual(fixed, []);
    const items = (await lsp.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 9 } })) as { label: string; detail?: string }[];
    assert.deepEqual(items.map((c) => c.label), ['ID', 'ACCOUNT_ID', 'EMAIL', 'FULL_NAME', 'COUNTRY', 'CREATED_AT', 'LAST_SEEN_AT', 'IS_ADMIN', 'TRAITS']);
    const hover = (await lsp.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 10 } })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? '', /\*\*EMAIL\*\*/);
  });

  it('a syntax error is an Error on its line, connected or not', async () => {
    for (const [reach, url] of [
      ['connected', emulator.url],
      ['no warehouse', 'http://127.0.0.1:9'],
    ] as const) {
      const dir = path.join(tmp(), reach.replace(' ', '-'));
      mkdirSync(dir);
      const uri = workspace(dir, url, database);
      lsp = await startLspClient(dir);
      const diags = await check(uri, 'SELECT ID,\n       EMAIL\nFROM USERS\nWHERE\n', (d) => d.length > 0);
      assert.deepEqual(diags.map((d) => [d.severity, d.code, d.range.start.line]), [[1, 'syntax', 3]], `${reach}: ${JSON.stringify(diags)}`);
      if (reach === 'connected') {
        // Checked again once the catalog is read, the warehouse's EXPLAIN asked: still an Error on that line.
        const again = await until(() => lsp!.published.get(uri)?.[1], 'the check with the catalog');
        assert.deepEqual(again.map((d) => [d.severity, d.code, d.range.start.line]), [[1, 'syntax', 3]], JSON.stringify(again));
      }
      await lsp.stop();
      lsp = undefined;
    }
  });

  it('every model of the valid corpus gets no Error (local verdicts: no warehouse reachable)', async () => {
    const uri = workspace(tmp(), 'http://127.0.0.1:9', database);
    lsp = await startLspClient(tmp());
    const queries = corpus('snowflake-docs-corpus.sql');
    assert.ok(queries.length >= 60);
    for (const [i, q] of queries.entries()) {
      const diags = await check(uri, q, () => true, i === 0 ? 1 : i + 1);
      assert.deepEqual(diags.filter((d) => d.severity === 1), [], q);
    }
  });
});
