// The gate a model passes before it reaches a warehouse, and how a destination's answer is read: the
// parts of "a model only reads; every row is delivered or recorded" that need no server.
import { strict as assert } from 'node:assert';
import { checkReadOnlyStatement, findForbidden } from '../../server/src/sql/statementCheck';
import { rejectionsIn } from '../../server/src/sync/webhookDestination';
import { describeRoleRights } from '../../server/src/warehouse/postgres/roleRights';

describe('model gate: functions that act outside the read-only transaction', () => {
  const refused = [
    "SELECT dblink_exec('dbname=x', 'DELETE FROM t')",
    "SELECT * FROM public.dblink('dbname=x', 'SELECT 1') AS t(x int)",
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity',
    'SELECT pg_catalog.pg_cancel_backend(1)',
    "SELECT set_config('role', 'admin', false)",
    "WITH x AS (SELECT lo_import('/etc/passwd') AS o) SELECT * FROM x",
    'SELECT id FROM t WHERE pg_try_advisory_lock(id)',
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_notify('c', 'x')",
    'SELECT PG_RELOAD_CONF()',
    // Found by review: functions that run a text as a query the check never parses.
    "SELECT query_to_xml('select pg_terminate_backend(pid) from pg_stat_activity', true, false, '')",
    "SELECT * FROM ts_stat('SELECT dblink_exec(''x'', ''DELETE FROM t'')::tsvector')",
    "SELECT pg_create_logical_replication_slot('s', 'test_decoding')",
  ];
  for (const sql of refused) {
    it(`refuses ${sql}, naming the function`, async () => {
      const r = await checkReadOnlyStatement(sql, 'postgres');
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.message : '', /\(\) is not allowed in a model: it acts outside the read-only transaction/);
    });
  }

  it('lets reading functions and columns with such names through', async () => {
    for (const sql of ["SELECT current_setting('TimeZone'), now(), lower(v) FROM t", 'SELECT dblink_exec FROM t', "SELECT 'dblink_exec(1)' AS s"]) {
      const r = await checkReadOnlyStatement(sql, 'postgres');
      assert.equal(r.ok, true, sql);
    }
  });

  it('walks a parse tree of any depth without overflowing the stack', () => {
    let node: unknown = { FuncCall: { funcname: [{ String: { sval: 'dblink_exec' } }] } };
    for (let i = 0; i < 200_000; i++) node = { A_Expr: { lexpr: node } };
    assert.match(findForbidden(node) ?? '', /dblink_exec/);
  });
});

describe('webhook answers: only ours acknowledge a batch', () => {
  const keys = new Set(['1', '2']);
  const answer = (text: string, contentType = 'application/json') => ({ status: 200, contentType, text });

  it('an empty body or a JSON object acknowledges; listed rejections are read', () => {
    assert.deepEqual(rejectionsIn(answer(''), keys), { rejected: [] });
    assert.deepEqual(rejectionsIn(answer('{"ok":true}'), keys), { rejected: [] });
    assert.deepEqual(rejectionsIn(answer('{"rejected":[{"key":2,"reason":"bad"},{"key":"9"}]}'), keys), { rejected: [{ key: '2', reason: 'bad' }] });
  });

  it('HTML, plain text, a JSON array or a malformed "rejected" do not', () => {
    for (const text of ['<html><body>Sign in</body></html>', 'accepted', '[]', '{"rejected":"all"}', '{"rejected":[1]}', 'null']) {
      const r = rejectionsIn(answer(text, 'text/html'), keys);
      assert.ok('unreadable' in r, text);
      assert.match((r as { unreadable: string }).unreadable, /not the webhook's answer \(text\/html/);
    }
    // A JSON answer that says it failed is no acknowledgement either (found by review).
    for (const text of ['{"error":"quota exceeded"}', '{"ok":false}', '{"success":false,"rejected":[]}']) {
      const r = rejectionsIn(answer(text), keys);
      assert.match('unreadable' in r ? r.unreadable : '', /whose body reports a failure/, text);
    }
  });
});

describe('role rights that reach outside read-only', () => {
  it('names each right and the SQL that removes it; none found, no warning', () => {
    const w = describeRoleRights('retl', { superuser: false, roles: ['pg_read_server_files'], functions: ['public.dblink_exec(text)', 'public.dblink_exec(text, text)'] })!;
    assert.match(w.message, /member of pg_read_server_files; it may execute public\.dblink_exec\./);
    assert.deepEqual(w.remediation.split('\n'), [
      'REVOKE pg_read_server_files FROM "retl";',
      'REVOKE EXECUTE ON FUNCTION public.dblink_exec(text) FROM PUBLIC, "retl";',
      'REVOKE EXECUTE ON FUNCTION public.dblink_exec(text, text) FROM PUBLIC, "retl";',
    ]);
    assert.equal(describeRoleRights('retl', { superuser: false, roles: [], functions: [] }), undefined);
    const su = describeRoleRights('retl', { superuser: true, replication: true, roles: ['pg_signal_backend'], functions: ['public.dblink(text)'] })!;
    assert.equal(su.remediation, 'ALTER ROLE "retl" NOSUPERUSER;', 'a superuser: one fix, not every role it is a member of');
    assert.match(describeRoleRights('retl', { superuser: false, replication: true, roles: [], functions: [] })!.remediation, /NOREPLICATION/);
  });
});
