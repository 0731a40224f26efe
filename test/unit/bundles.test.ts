// What the bundles hold: one vscode-jsonrpc at run time (the language client's), and a stand-in for the
// protocol's message types in the extension bundle that matches the real classes.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Notifications, Requests } from '../../protocol/src/requests';
import { REPO } from '../helpers/cli';

type Signature = { method: string; numberOfParams: number };
// The client project is compiled apart (it needs VS Code's types); its output is loaded as it is.
const standIn = require(path.join(REPO, 'out', 'client', 'src', 'messageTypes.js')) as Record<'RequestType' | 'RequestType0' | 'NotificationType', new (method: string) => Signature>;

describe('bundles: one vscode-jsonrpc at run time', () => {
  const bundle = (name: string) => readFileSync(path.join(REPO, 'dist', name), 'utf8');
  // Strings of vscode-jsonrpc's connection code, present in any bundle that carries it.
  const JSONRPC = ['Unknown parameter structure', 'params but received none'];

  it('the extension bundle carries no vscode-jsonrpc; the language client bundle does', () => {
    for (const marker of JSONRPC) {
      assert.ok(!bundle('extension.js').includes(marker), `dist/extension.js holds "${marker}"`);
      assert.ok(bundle('languageclient.js').includes(marker), `dist/languageclient.js lacks "${marker}"`);
    }
  });

  it("the stand-in types say what the real ones say about every request and notification", () => {
    for (const real of Object.values(Requests)) {
      const mine = real.numberOfParams === 0 ? new standIn.RequestType0(real.method) : new standIn.RequestType(real.method);
      assert.deepEqual([mine.method, mine.numberOfParams], [real.method, real.numberOfParams]);
    }
    for (const real of Object.values(Notifications)) {
      const mine = new standIn.NotificationType(real.method);
      assert.deepEqual([mine.method, mine.numberOfParams], [real.method, real.numberOfParams]);
    }
  });
});

describe('bundles: the Snowflake parser apart, loaded only for Snowflake text', () => {
  it('dist/server.js and dist/cli.js do not carry polyglot; dist/polyglot.js and its wasm sit beside them', () => {
    for (const name of ['server.js', 'cli.js']) {
      const text = readFileSync(path.join(REPO, 'dist', name), 'utf8');
      assert.ok(!text.includes('polyglot_sql.wasm'), `dist/${name} holds polyglot`);
    }
    assert.ok(readFileSync(path.join(REPO, 'dist', 'polyglot.js'), 'utf8').includes('polyglot_sql.wasm'));
    assert.ok(readFileSync(path.join(REPO, 'dist', 'polyglot_sql.wasm')).length > 1_000_000);
  });

  it('checking PostgreSQL text never loads it; the first Snowflake text does', () => {
    const analyze = path.join(REPO, 'out', 'server', 'src', 'sql', 'analyzeSql.js');
    const script = `const { analyzeSql } = require(${JSON.stringify(analyze)});
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('polyglot'));
      (async () => {
        await analyzeSql('SELECT id FROM users', { dialect: 'postgres' });
        const afterPostgres = loaded();
        await analyzeSql('SELECT ID FROM USERS', { dialect: 'snowflake' });
        console.log(JSON.stringify([afterPostgres, loaded()]));
      })();`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), [false, true]);
  });
});
