import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../server/src/config/atomicWrite';
import { ConfigStore } from '../../server/src/config/configStore';
import { createModel, deleteModel, saveCredentials, updateModel } from '../../server/src/models/modelChanges';
import { Engine, EngineError } from '../../server/src/engine';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { SAMPLE_YAML, useTempDir } from '../helpers/tempDir';

describe('ConfigStore and model changes', () => {
  const tmp = useTempDir();
  let file: string;
  let store: ConfigStore;

  beforeEach(async () => {
    file = path.join(tmp(), 'retl.yaml');
    writeFileSync(file, SAMPLE_YAML);
    store = new ConfigStore(file);
    await store.load();
  });

  const text = () => readFileSync(file, 'utf8');
  // The yaml printer keeps every comment, blank line and key order, but puts one space before an
  // inline comment; the comparisons allow for that and nothing else.
  const tidy = (s: string) => s.replace(/(\S) +#/g, '$1 #');

  it('a query file that is a symbolic link out of the workspace is a problem at its line, and is never read', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'retl-outside-'));
    try {
      writeFileSync(path.join(outside, 'secret.sql'), 'SELECT 1 AS leaked\n');
      mkdirSync(path.join(tmp(), 'models'), { recursive: true });
      // Inside the workspace, a link is fine.
      writeFileSync(path.join(tmp(), 'models', 'real.sql'), 'SELECT 1 AS id\n');
      symlinkSync(path.join(tmp(), 'models', 'real.sql'), path.join(tmp(), 'models', 'accounts.sql'));
      assert.deepEqual((await store.load()).problems, []);
      const engine = new Engine(store, NO_STORED_SECRETS, path.join(tmp(), '.retl', 'demo'));
      // A link made after the load is refused when the file is read.
      symlinkSync(path.join(outside, 'secret.sql'), path.join(tmp(), 'models', 'active_users.sql'));
      await assert.rejects(engine.modelSql(engine.model('active_users')), (err: Error) => err instanceof EngineError && /symbolic link to .*secret\.sql, outside the workspace/.test(err.message));
      await engine.dispose();
      // A folder linked out of the workspace counts too, for a file that does not exist yet.
      symlinkSync(outside, path.join(tmp(), 'linked'));
      writeFileSync(file, SAMPLE_YAML.replace('query: models/accounts.sql', 'query: linked/new.sql'));
      const state = await store.load();
      const line = SAMPLE_YAML.split('\n').findIndex((l) => l.includes('query: models/active_users.sql')) + 1;
      assert.deepEqual(state.problems.map((p) => [p.line, p.message.replace(outside, 'OUT')]), [
        [line, 'models[0].query: "models/active_users.sql" is a symbolic link to OUT/secret.sql, outside the workspace; a model\'s query file must be inside it.'],
        [line + 5, 'models[1].query: "linked/new.sql" is a symbolic link to OUT, outside the workspace; a model\'s query file must be inside it.'],
      ]);
      assert.equal(store.config, undefined);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('renames a model and changes only that line: comments and order stay', async () => {
    const r = await updateModel(store, { id: 'active_users', name: 'Active users (30d)' });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(text(), tidy(SAMPLE_YAML.replace('name: Active users', 'name: Active users (30d)')));
    assert.equal(r.state.models[0]?.name, 'Active users (30d)');
  });

  it('adds a model at the end of the list, writes its query file and keeps every comment', async () => {
    const r = await createModel(store, { id: 'churned', name: 'Churned', credentials: 'demo', initialSql: 'SELECT 1 AS id\n', primaryKey: 'id' });
    assert.ok(r.ok, JSON.stringify(r));
    const after = text();
    for (const comment of ['# Team analytics models', '# owned by retl', '# production warehouse', '# behind the VPN', '# users active this month', '# sample data']) {
      assert.ok(after.includes(comment), `lost comment ${comment}`);
      assert.equal(after.split(comment).length, 2, `comment ${comment} once`);
    }
    assert.ok(after.startsWith(tidy(SAMPLE_YAML.split('\nconnections:')[0]!).trimEnd()), 'the part before the new model is unchanged');
    assert.ok(after.indexOf('id: churned') > after.indexOf('id: accounts'));
    assert.equal(readFileSync(path.join(tmp(), 'models/churned.sql'), 'utf8'), 'SELECT 1 AS id\n');
    assert.equal((await new ConfigStore(file).load()).models.length, 3);
  });

  it('deletes a model and, when asked, its query file', async () => {
    mkdirSync(path.join(tmp(), 'models'));
    writeFileSync(path.join(tmp(), 'models/accounts.sql'), 'SELECT 1');
    const r = await deleteModel(store, { id: 'accounts', deleteQueryFile: true });
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(!text().includes('id: accounts'));
    assert.ok(text().includes('# users active this month'));
    assert.ok(!existsSync(path.join(tmp(), 'models/accounts.sql')));
  });

  it('refuses to delete a model a connection uses, names the connection and changes nothing', async () => {
    const r = await deleteModel(store, { id: 'active_users', deleteQueryFile: true });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.code === 'inUse');
    assert.ok(!r.ok && r.usedBy?.includes('active_users_to_crm'));
    assert.match(!r.ok ? r.message : '', /active_users_to_crm/);
    assert.equal(text(), SAMPLE_YAML);
  });

  it('refuses a rename to an existing name (any case) and an empty name', async () => {
    const clash = await updateModel(store, { id: 'accounts', name: 'active USERS' });
    assert.ok(!clash.ok && clash.code === 'conflict', JSON.stringify(clash));
    const empty = await updateModel(store, { id: 'accounts', name: '   ' });
    assert.ok(!empty.ok && empty.code === 'invalid', JSON.stringify(empty));
    assert.equal(text(), SAMPLE_YAML);
  });

  it('refuses a model with unknown credentials, a bad id or a taken id, and leaves no query file behind', async () => {
    const unknown = await createModel(store, { id: 'x', name: 'X', credentials: 'nope' });
    assert.ok(!unknown.ok && unknown.code === 'invalid');
    const badId = await createModel(store, { id: 'Has Spaces', name: 'Y', credentials: 'demo' });
    assert.ok(!badId.ok && badId.code === 'invalid');
    const taken = await createModel(store, { id: 'accounts', name: 'Other', credentials: 'demo' });
    assert.ok(!taken.ok && taken.code === 'conflict');
    assert.equal(text(), SAMPLE_YAML);
    assert.ok(!existsSync(path.join(tmp(), 'models/x.sql')));
  });

  it('never overwrites a broken file, and says which line is wrong', async () => {
    const broken = SAMPLE_YAML.replace('    name: Accounts\n', '    name: [Accounts\n');
    writeFileSync(file, broken);
    const r = await createModel(store, { id: 'new_model', name: 'New', credentials: 'demo' });
    assert.ok(!r.ok && r.code === 'configBroken', JSON.stringify(r));
    assert.match(!r.ok ? r.message : '', /line \d+/);
    assert.equal(text(), broken);
    assert.ok(!existsSync(path.join(tmp(), 'models/new_model.sql')));
    assert.ok(store.state().problems.length > 0, 'the state now reports the problems');
    assert.equal(store.state().models.length, 2, 'the last good models are still shown');
  });

  it('applies a change on top of an external edit made since the last load', async () => {
    writeFileSync(file, SAMPLE_YAML.replace('description: Users seen in the last 30 days', 'description: edited in git'));
    const r = await updateModel(store, { id: 'accounts', name: 'All accounts' });
    assert.ok(r.ok);
    assert.ok(text().includes('description: edited in git'));
    assert.ok(text().includes('name: All accounts'));
  });

  it('runs concurrent changes one after the other, losing none', async () => {
    const results = await Promise.all(
      ['a1', 'a2', 'a3', 'a4'].map((id) => createModel(store, { id, name: `Model ${id}`, credentials: 'demo' })),
    );
    assert.ok(results.every((r) => r.ok));
    const state = await new ConfigStore(file).load();
    assert.deepEqual(state.models.map((m) => m.id), ['active_users', 'accounts', 'a1', 'a2', 'a3', 'a4']);
  });

  it('creates retl.yaml when it does not exist yet', async () => {
    const fresh = new ConfigStore(path.join(tmp(), 'sub', 'retl.yaml'));
    mkdirSync(path.join(tmp(), 'sub'));
    assert.equal((await fresh.load()).exists, false);
    const creds = await saveCredentials(fresh, { credentials: { id: 'demo', type: 'demo' }, create: true });
    assert.ok(creds.ok, JSON.stringify(creds));
    const model = await createModel(fresh, { id: 'first', name: 'First', credentials: 'demo' });
    assert.ok(model.ok, JSON.stringify(model));
    const written = readFileSync(path.join(tmp(), 'sub', 'retl.yaml'), 'utf8');
    assert.match(written, /^# Reverse ETL models kept as code/);
    assert.match(written, /models:\n {2}- id: first/);
  });

  it('edits credentials field by field, keeping comments, and refuses a duplicate new id', async () => {
    const r = await saveCredentials(store, {
      credentials: { id: 'analytics_pg', type: 'postgres', host: 'db2.internal', port: 5433, database: 'analytics', user: 'retl', ssl: 'require' },
      create: false,
    });
    assert.ok(r.ok, JSON.stringify(r));
    const after = text();
    assert.ok(after.includes('host: db2.internal # behind the VPN'), after);
    assert.ok(after.includes('port: 5433'));
    assert.ok(after.includes('ssl: require'));
    assert.ok(!after.includes('passwordEnv'), 'a field the user cleared is removed');
    const dup = await saveCredentials(store, { credentials: { id: 'demo', type: 'demo' }, create: true });
    assert.ok(!dup.ok && dup.code === 'conflict');
  });

  it('reloads what is on disk', async () => {
    writeFileSync(file, SAMPLE_YAML.replace('name: Accounts', 'name: Renamed outside'));
    const state = await store.load();
    assert.equal(state.models[1]?.name, 'Renamed outside');
  });
});

describe('writeFileAtomic', () => {
  const tmp = useTempDir();

  it('replaces the file as a whole and leaves no temp file', async () => {
    const file = path.join(tmp(), 'retl.yaml');
    writeFileSync(file, 'old');
    const inodeBefore = statSync(file).ino;
    await writeFileAtomic(file, 'new content');
    assert.equal(readFileSync(file, 'utf8'), 'new content');
    assert.notEqual(statSync(file).ino, inodeBefore, 'renamed into place, not written in place');
    assert.deepEqual(readdirSync(tmp()), ['retl.yaml']);
  });

  it('leaves the target and no temp file behind when the rename fails', async () => {
    const target = path.join(tmp(), 'retl.yaml');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(target, 'data'));
    assert.deepEqual(readdirSync(tmp()), ['retl.yaml']);
    assert.ok(statSync(target).isDirectory());
  });
});
