import { strict as assert } from 'node:assert';
import { corpus } from '../helpers/sqlCorpus';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { retl, retlAsync } from '../helpers/cli';
import { SAMPLE_YAML, useTempDir } from '../helpers/tempDir';

describe('retl CLI (child process)', () => {
  const tmp = useTempDir('retl-cli-');

  it('init --demo writes a workspace whose models list as JSON', () => {
    const init = retl(['init', '--demo'], tmp());
    assert.equal(init.code, 0, init.stderr);
    for (const f of ['retl.yaml', 'models/active_users.sql', 'models/accounts_mrr.sql', '.gitignore']) assert.ok(existsSync(path.join(tmp(), f)), f);
    const list = retl(['models', 'list', '--json'], tmp());
    assert.equal(list.code, 0, list.stderr);
    const models = JSON.parse(list.stdout) as Record<string, unknown>[];
    assert.deepEqual(models.map((m) => m.id), ['active_users', 'accounts_mrr']);
    assert.deepEqual(Object.keys(models[0]!).sort(), ['connections', 'credentials', 'description', 'id', 'name', 'primaryKey', 'query'].sort());
    assert.deepEqual(models[0]!.connections, []);
  });

  it('init refuses to overwrite an existing retl.yaml (exit 3)', () => {
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML);
    const r = retl(['init', '--demo'], tmp());
    assert.equal(r.code, 3);
    assert.match(r.stderr, /already exists/);
    assert.equal(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), SAMPLE_YAML);
  });

  it('finds retl.yaml upward from a sub folder and lists connections per model', () => {
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML);
    mkdirSync(path.join(tmp(), 'deep', 'er'), { recursive: true });
    const r = retl(['models', 'list', '--json'], path.join(tmp(), 'deep', 'er'));
    assert.equal(r.code, 0, r.stderr);
    const models = JSON.parse(r.stdout) as { id: string; connections: string[]; primaryKey: string | null }[];
    assert.deepEqual(models.find((m) => m.id === 'active_users')?.connections, ['active_users_to_crm']);
    assert.equal(models.find((m) => m.id === 'accounts')?.primaryKey, null);
  });

  it('creates a model from a query file outside the workspace by copying it in', () => {
    retl(['init', '--demo'], tmp());
    const outside = path.join(tmp(), '..', `${path.basename(tmp())}-q.sql`);
    writeFileSync(outside, 'SELECT id FROM public.users\n');
    try {
      const r = retl(['models', 'create', '--id', 'all_users', '--name', 'All users', '--credentials', 'demo', '--query-file', outside, '--primary-key', 'id', '--description', 'Everyone', '--json'], tmp());
      assert.equal(r.code, 0, r.stderr);
      const created = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual(created, { id: 'all_users', name: 'All users', description: 'Everyone', credentials: 'demo', query: 'models/all_users.sql', primaryKey: 'id', connections: [] });
      assert.equal(readFileSync(path.join(tmp(), 'models/all_users.sql'), 'utf8'), 'SELECT id FROM public.users\n');
    } finally {
      rmSync(outside, { force: true }); // it sits beside the temp dir, not in it
    }
  });

  it('references a query file inside the workspace where it is', () => {
    retl(['init'], tmp());
    writeFileSync(path.join(tmp(), 'q.sql'), 'SELECT 1 AS id');
    const creds = path.join(tmp(), 'retl.yaml');
    writeFileSync(creds, readFileSync(creds, 'utf8').replace('credentials: []', 'credentials:\n  - id: demo\n    type: demo'));
    const r = retl(['models', 'create', '--id', 'q', '--name', 'Q', '--credentials', 'demo', '--query-file', 'q.sql', '--json'], tmp());
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { query: string }).query, 'q.sql');
  });

  it('refuses unknown credentials, a bad id and a taken name with exit 3, changing nothing', () => {
    retl(['init', '--demo'], tmp());
    const before = readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8');
    writeFileSync(path.join(tmp(), 'q.sql'), 'SELECT 1');
    const unknown = retl(['models', 'create', '--id', 'x', '--name', 'X', '--credentials', 'nope', '--query-file', 'q.sql'], tmp());
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /No credentials with id "nope"/);
    const badId = retl(['models', 'create', '--id', 'has space', '--name', 'X', '--credentials', 'demo', '--query-file', 'q.sql', '--json'], tmp());
    assert.equal(badId.code, 3);
    assert.equal((JSON.parse(badId.stderr) as { error: string }).error, 'invalid');
    const rename = retl(['models', 'rename', 'accounts_mrr', 'active users'], tmp());
    assert.equal(rename.code, 3);
    assert.match(rename.stderr, /already exists/);
    assert.equal(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), before);
  });

  it('renames a model, keeping its id', () => {
    retl(['init', '--demo'], tmp());
    const r = retl(['models', 'rename', 'active_users', 'Recently active', '--json'], tmp());
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { id: string; name: string }).name, 'Recently active');
    assert.match(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), /- id: active_users\n {4}name: Recently active/);
  });

  it('refuses to delete a model in use (exit 3, naming the connection), then deletes it once unused', () => {
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML);
    const refused = retl(['models', 'delete', 'active_users', '--json'], tmp());
    assert.equal(refused.code, 3);
    assert.deepEqual((JSON.parse(refused.stderr) as { usedBy: string[] }).usedBy, ['active_users_to_crm']);
    const text = retl(['models', 'delete', 'active_users'], tmp());
    assert.match(text.stderr, /active_users_to_crm/);
    writeFileSync(path.join(tmp(), 'retl.yaml'), SAMPLE_YAML.replace(/connections:\n[\s\S]*$/, 'connections: []\n'));
    const ok = retl(['models', 'delete', 'active_users', '--json'], tmp());
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { deleted: 'active_users' });
    assert.ok(!readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8').includes('id: active_users'));
  });

  it('reports a broken retl.yaml with file, line and column (exit 2) and never writes it', () => {
    const broken = SAMPLE_YAML.replace('credentials: demo   # sample data', 'credentials: missing');
    writeFileSync(path.join(tmp(), 'retl.yaml'), broken);
    const list = retl(['models', 'list'], tmp());
    assert.equal(list.code, 2);
    const line = broken.split('\n').findIndex((l) => l.includes('credentials: missing')) + 1;
    assert.match(list.stderr, new RegExp(`retl\\.yaml:${line}:\\d+: models\\[1\\]\\.credentials: no credentials with id "missing"`));
    const rename = retl(['models', 'rename', 'accounts', 'Y'], tmp());
    assert.equal(rename.code, 2);
    assert.equal(readFileSync(path.join(tmp(), 'retl.yaml'), 'utf8'), broken);
  });

  it('exits 2 on usage errors and on a missing config', () => {
    assert.equal(retl([], tmp()).code, 2);
    assert.equal(retl(['frobnicate'], tmp()).code, 2);
    assert.equal(retl(['models', 'list', '--bogus'], tmp()).code, 2);
    const missing = retl(['models', 'list'], tmp());
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no retl\.yaml found/);
    assert.equal(retl(['models', 'list', '--config', path.join(tmp(), 'nope.yaml')], tmp()).code, 2);
    retl(['init', '--demo'], tmp());
    const noId = retl(['models', 'create', '--name', 'X', '--credentials', 'demo', '--query-file', 'x.sql'], tmp());
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /--id is required/);
    const noFile = retl(['models', 'create', '--id', 'x', '--name', 'X', '--credentials', 'demo', '--query-file', 'nope.sql'], tmp());
    assert.equal(noFile.code, 2);
    assert.equal(retl(['--help'], tmp()).code, 0);
  });

  it('takes only the flags a command lists, and builds its help from the command table', () => {
    const init = retl(['init', '--page', '2'], tmp());
    assert.equal(init.code, 2);
    assert.match(init.stderr, /retl init does not take --page\.\nUsage: retl init \[--demo\] \[--dir DIR\]/);
    assert.ok(!existsSync(path.join(tmp(), 'retl.yaml')), 'nothing written');
    const args = retl(['models', 'rename', 'only_one'], tmp());
    assert.equal(args.code, 2);
    assert.match(args.stderr, /retl models rename takes ID NEW_NAME, not "only_one"/);
    assert.match(retl(['models', 'frob'], tmp()).stderr, /unknown models command "frob"; known: list, create, rename, delete/);
    const help = retl(['--help'], tmp()).stdout;
    for (const line of ['init [--demo] [--dir DIR]', 'models create --id ID --name NAME --credentials ID --query-file FILE', 'preview MODEL_ID [--page N] [--timeout SECONDS]', 'validate FILE... [--dialect postgres|snowflake]']) {
      assert.ok(help.includes(line), `help lists "${line}"`);
    }
  });

  it('uses --config from anywhere', () => {
    mkdirSync(path.join(tmp(), 'ws'));
    writeFileSync(path.join(tmp(), 'ws', 'retl.yaml'), SAMPLE_YAML);
    const r = retl(['models', 'list', '--json', '--config', path.join(tmp(), 'ws', 'retl.yaml')], tmp());
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
  });

  it('validate reports errors with line and column (exit 1) and passes clean files (exit 0)', () => {
    writeFileSync(path.join(tmp(), 'bad.sql'), 'SELECT id\nFROM FROM users\n');
    writeFileSync(path.join(tmp(), 'good.sql'), 'SELECT id FROM users\n');
    writeFileSync(path.join(tmp(), 'two.sql'), 'SELECT 1;\nDELETE FROM users\n');
    const bad = retl(['validate', 'bad.sql', 'good.sql', 'two.sql', '--json'], tmp());
    assert.equal(bad.code, 1, bad.stderr);
    const report = JSON.parse(bad.stdout) as { file: string; diagnostics: { line: number; column: number; severity: string; code: string }[] }[];
    assert.deepEqual(report.map((r) => r.file), ['bad.sql', 'good.sql', 'two.sql']);
    assert.deepEqual(report[0]!.diagnostics.map((d) => [d.line, d.column, d.severity, d.code]), [[2, 6, 'error', 'syntax']]);
    assert.deepEqual(report[1]!.diagnostics, []);
    assert.deepEqual(report[2]!.diagnostics.map((d) => [d.line, d.code]).sort(), [[2, 'multiple-statements'], [2, 'not-read-only']]);
    assert.equal(retl(['validate', 'good.sql'], tmp()).code, 0);
    // Snowflake through the bundled parser (dist/polyglot.js and its wasm): an error on its line, and a
    // construct the parser is known to refuse though valid a warning.
    writeFileSync(path.join(tmp(), 'sf.sql'), "SELECT * ILIKE '%_AT' FROM T\n");
    writeFileSync(path.join(tmp(), 'sfbad.sql'), 'SELECT ID\nFROM T\nWHERE\n');
    const sf = retl(['validate', 'sf.sql', 'sfbad.sql', '--dialect', 'snowflake', '--json'], tmp());
    assert.equal(sf.code, 1, sf.stderr);
    const sfReport = JSON.parse(sf.stdout) as { diagnostics: { line: number; severity: string; code: string }[] }[];
    assert.deepEqual(sfReport.map((f) => f.diagnostics.map((d) => [d.line, d.severity, d.code])), [[[1, 'warning', 'syntax-unconfirmed']], [[3, 'error', 'syntax']]]);
    // The corpus of valid Snowflake models, one file each: no Error.
    const models = corpus('snowflake-docs-corpus.sql').map((q, i) => {
      writeFileSync(path.join(tmp(), `doc${i}.sql`), q);
      return `doc${i}.sql`;
    });
    const docs = retl(['validate', ...models, '--dialect', 'snowflake'], tmp());
    assert.equal(docs.code, 0, docs.stdout + docs.stderr);
    assert.equal(retl(['validate', 'x.sql', '--dialect', 'oracle'], tmp()).code, 2);
  });

  it('validate says a model file without a statement has no query yet (exit 1); an empty file of no model passes', () => {
    assert.equal(retl(['init', '--demo'], tmp()).code, 0);
    writeFileSync(path.join(tmp(), 'models', 'active_users.sql'), '-- to do\n');
    writeFileSync(path.join(tmp(), 'scratch.sql'), '');
    const r = retl(['validate', 'models/active_users.sql', 'scratch.sql', '--json'], tmp());
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { diagnostics: { line: number; column: number; severity: string; code: string; message: string }[] }[];
    assert.deepEqual(report.map((f) => f.diagnostics.map((d) => [d.line, d.column, d.severity, d.code])), [[[1, 1, 'error', 'no-query']], []]);
    assert.match(report[0]!.diagnostics[0]!.message, /has no query yet/);
  });

  it('validate survives a 10,000- and a 20,000-arm UNION ALL and a 10 MB file: Warnings saying why, exit 0', () => {
    const union = (n: number) => `${Array.from({ length: n }, (_, i) => `SELECT ${i} AS id`).join('\nUNION ALL ')}\n`;
    writeFileSync(path.join(tmp(), 'u10k.sql'), union(10_000));
    writeFileSync(path.join(tmp(), 'u20k.sql'), union(20_000));
    writeFileSync(path.join(tmp(), 'huge.sql'), `SELECT '${'x'.repeat(10 * 1024 * 1024)}' AS pad\n`);
    const r = retl(['validate', 'u10k.sql', 'u20k.sql', 'huge.sql', '--json'], tmp());
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { diagnostics: { severity: string; code: string; message: string }[] }[];
    assert.deepEqual(report.map((f) => f.diagnostics.map((d) => [d.severity, d.code])), [[], [['warning', 'too-deep']], [['warning', 'too-large']]]);
    assert.match(report[2]!.diagnostics[0]!.message, /^Too large to check here: 10\.5 MB \(the limit is 1 MB\); run it to see the warehouse's verdict\.$/);
  });

  it('preview --timeout 3 stops pg_sleep(1000) on the demo warehouse: exit 1, the message names the timeout', async function () {
    this.timeout(120_000);
    assert.equal(retl(['init', '--demo'], tmp()).code, 0);
    writeFileSync(path.join(tmp(), 'models', 'active_users.sql'), 'SELECT pg_sleep(1000) AS user_id\n');
    const r = await retlAsync(['preview', 'active_users', '--timeout', '3'], tmp());
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /timed out after 3 s \(the preview timeout\)/);
  });
});
