// The check every message from the model panel passes before the extension acts on it.
import { strict as assert } from 'node:assert';
import { checkFromWebview, MAX_ID_LENGTH, MAX_MAPPING_KEYS, MAX_TEXT_LENGTH } from '../../protocol/src/webviewMessageCheck';
import type { FromWebview } from '../../protocol/src/webviewMessages';

function refused(value: unknown, reason: RegExp): void {
  const r = checkFromWebview(value);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(value)?.slice(0, 100)}`);
  if (!r.ok) assert.match(r.reason, reason);
}

describe('checkFromWebview', () => {
  it('accepts each message the panel sends, and returns it as it is', () => {
    const valid: FromWebview[] = [
      { type: 'ready' },
      { type: 'runQuery' },
      { type: 'runQuery', sql: 'SELECT 1' },
      { type: 'page', page: 2 },
      { type: 'cancel' },
      { type: 'cell', page: 1, row: 0, column: 4 },
      { type: 'finish', description: '', sql: 'SELECT id FROM users' },
      { type: 'finish', description: '', sql: 'SELECT id FROM users', primaryKey: 'id' },
      { type: 'finish', description: '', sql: 'SELECT id FROM users', primaryKey: '' },
      { type: 'rename', name: 'Recently active users' },
      { type: 'delete' },
      { type: 'verify' },
      { type: 'switchCredentials', credentialsId: 'analytics_pg' },
      { type: 'editCredentials' },
      { type: 'copy', text: 'a,b\n1,2', what: 'page as CSV' },
      { type: 'goToLine', line: 2, column: 8 },
      { type: 'revealConnection', connectionId: 'to_crm' },
      { type: 'syncNow', connectionId: 'to_crm' },
      { type: 'editMapping', connectionId: 'to_crm' },
      { type: 'saveMapping', connectionId: 'to_crm', mapping: { user_id: 'id', email: 'mail' } },
      { type: 'saveMapping', connectionId: 'to_crm', mapping: {} },
      { type: 'exportResults' },
      { type: 'cancelExport' },
    ];
    for (const m of valid) {
      const r = checkFromWebview(m);
      assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.reason}`);
      assert.equal(r.message, m);
    }
  });

  it('treats an optional field sent as undefined as absent', () => {
    assert.ok(checkFromWebview({ type: 'runQuery', sql: undefined }).ok);
  });

  it('refuses what is no message at all', () => {
    for (const v of [undefined, null, 0, 'ready', true, [], [{ type: 'ready' }], new Date(0), new Map([['type', 'ready']])]) refused(v, /a message is an object/);
    class Ready {
      type = 'ready';
    }
    refused(new Ready(), /a message is an object/);
  });

  it('refuses a missing, non-string or unknown type, without echoing a long one', () => {
    refused({}, /"type" must be a string, not undefined/);
    refused({ type: 1 }, /"type" must be a string, not a number/);
    refused({ type: 'executeCommand', command: 'workbench.action.terminal.new' }, /unknown message type "executeCommand"/);
    refused({ type: 'toString' }, /unknown message type/);
    refused({ type: '__proto__' }, /unknown message type/);
    const r = checkFromWebview({ type: `x${'y'.repeat(10_000)}` });
    assert.ok(!r.ok && r.reason.length < 100, r.ok ? '' : r.reason);
  });

  it('refuses a missing required field, and names it', () => {
    refused({ type: 'page' }, /^page: "page" is missing$/);
    refused({ type: 'cell', page: 1, row: 0 }, /cell: "column" is missing/);
    refused({ type: 'finish', sql: 'SELECT 1' }, /finish: "description" is missing/);
    refused({ type: 'finish', description: '', sql: 'SELECT 1', primaryKey: 7 }, /finish.primaryKey: must be a string, not a number/);
    refused({ type: 'finish', description: '', sql: 'SELECT 1', primaryKey: 'k'.repeat(5000) }, /finish.primaryKey: is longer than/);
    refused({ type: 'saveMapping', connectionId: 'c' }, /saveMapping: "mapping" is missing/);
    refused({ type: 'saveMapping', mapping: {} }, /saveMapping: "connectionId" is missing/);
  });

  it('refuses a field of the wrong type', () => {
    refused({ type: 'page', page: '2' }, /page\.page: must be a whole number ≥ 1, not a string/);
    refused({ type: 'runQuery', sql: 42 }, /runQuery\.sql: must be a string, not a number/);
    refused({ type: 'runQuery', sql: null }, /runQuery\.sql: must be a string, not null/);
    refused({ type: 'rename', name: ['a'] }, /rename\.name: must be a string, not an array/);
    refused({ type: 'copy', text: { toString: () => 'x' }, what: 'cell' }, /copy\.text: must be a string, not an object/);
    refused({ type: 'syncNow', connectionId: undefined }, /syncNow\.connectionId: must be a string, not undefined/);
  });

  it('refuses pages and positions that cannot be, and negative or fractional indexes', () => {
    for (const page of [0, -1, 1.5, NaN, Infinity, 2 ** 53]) {
      refused({ type: 'page', page }, /page\.page: must be a whole number ≥ 1/);
      refused({ type: 'goToLine', line: page, column: 1 }, /goToLine\.line: must be a whole number ≥ 1/);
    }
    refused({ type: 'cell', page: 1, row: -1, column: 0 }, /cell\.row: must be a whole number ≥ 0, not -1/);
    refused({ type: 'cell', page: 1, row: 0, column: 0.5 }, /cell\.column: must be a whole number ≥ 0/);
    assert.ok(checkFromWebview({ type: 'cell', page: 1, row: 0, column: 0 }).ok, 'rows and columns count from 0');
  });

  it('refuses strings over their limit', () => {
    refused({ type: 'runQuery', sql: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, /runQuery\.sql: is longer than/);
    assert.ok(checkFromWebview({ type: 'runQuery', sql: 'x'.repeat(MAX_TEXT_LENGTH) }).ok);
    refused({ type: 'syncNow', connectionId: 'c'.repeat(MAX_ID_LENGTH + 1) }, /syncNow\.connectionId: is longer than 256/);
    refused({ type: 'rename', name: 'n'.repeat(1_001) }, /rename\.name: is longer than 1000/);
  });

  it('refuses fields no message of that type has', () => {
    refused({ type: 'ready', extra: true }, /ready: unexpected field "extra"/);
    refused({ type: 'delete', modelId: 'other_model' }, /delete: unexpected field "modelId"/);
    refused({ type: 'page', page: 1, sessionId: 's' }, /page: unexpected field "sessionId"/);
    // The host exports the text of the panel's last run: a page cannot name another file, model or query.
    refused({ type: 'exportResults', path: '/etc/passwd' }, /exportResults: unexpected field "path"/);
    refused({ type: 'exportResults', sql: 'SELECT 1' }, /exportResults: unexpected field "sql"/);
    refused({ type: 'cancelExport', exportId: 'x' }, /cancelExport: unexpected field "exportId"/);
    refused({ type: 'ready', [Symbol('s')]: 1 }, /unexpected symbol key/);
  });

  // Found by the property tests: a field named like a member of Object.prototype found that member as
  // its rule and threw ("rule is not a function", "Cannot convert undefined or null to object").
  it('refuses fields named like members of Object.prototype, without throwing', () => {
    refused(JSON.parse('{"__proto__": null, "type": "ready"}'), /ready: unexpected field "__proto__"/);
    refused({ valueOf: {}, type: 'editMapping' }, /editMapping: unexpected field "valueOf"/);
    refused({ type: 'verify', toString: 'x', constructor: 1 }, /unexpected field/);
  });

  it('refuses a field that is a getter', () => {
    const m = { type: 'rename' } as Record<string, unknown>;
    Object.defineProperty(m, 'name', { enumerable: true, get: () => 'n' });
    refused(m, /rename\.name: must be a plain value/);
  });

  it('accepts a mapping only as a plain object of strings, bounded', () => {
    const bad: [unknown, RegExp][] = [
      [[['user_id', 'id']], /must be an object of column → field, not an array/],
      [null, /not null/],
      ['user_id=id', /not a string/],
      [new Map([['user_id', 'id']]), /not an object/],
      [{ user_id: 1 }, /column "user_id" must map to a string, not a number/],
      [{ user_id: null }, /must map to a string, not null/],
      [{ user_id: { field: 'id' } }, /must map to a string, not an object/],
      [JSON.parse('{"__proto__": "x"}'), /must not map a column named "__proto__"/],
      [Object.fromEntries(Array.from({ length: MAX_MAPPING_KEYS + 1 }, (_, i) => [`c${i}`, 'f'])), /has 5001 columns/],
      [{ ['c'.repeat(1_001)]: 'f' }, /column name longer than 1000/],
      [{ c: 'f'.repeat(1_001) }, /field name longer than 1000/],
    ];
    for (const [mapping, reason] of bad) refused({ type: 'saveMapping', connectionId: 'c', mapping }, reason);
    assert.ok(checkFromWebview({ type: 'saveMapping', connectionId: 'c', mapping: Object.assign(Object.create(null) as object, { a: 'b' }) }).ok, 'a null-prototype object is plain');
  });
});
