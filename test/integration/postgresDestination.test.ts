// The PostgreSQL destination on a real server: a batch goes through COPY (CSV) into a temporary table and
// one INSERT ... ON CONFLICT, and every awkward value arrives as it left the warehouse: NULL and the empty
// string apart, tabs, newlines, carriage returns, backslashes, quotes, a lone \. (COPY's end-of-data
// marker), unicode, numbers beyond 2^53 and numerics with 20 decimals, JSON with big numbers, booleans.
import { strict as assert } from 'node:assert';
import type { PostgresDestination } from '../../protocol/src/config';
import type { SyncRecord } from '../../server/src/sync/destination';
import { parsePayload } from '../../server/src/sync/payloadJson';
import { postgresDestination } from '../../server/src/sync/postgresDestination';
import { PostgresWarehouse } from '../../server/src/warehouse/postgres/postgresWarehouse';
import { pgFixture, type PgFixture } from './pgFixture';

const AWKWARD = ['', 'tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\.', 'say "hi", twice', 'ünïcødé 😀', ' padded ', 'NULL', '\\N'];

describe('PostgreSQL destination: COPY of a batch, values exactly as sent', function () {
  this.timeout(120_000);
  let fx: PgFixture;
  let warehouse: PostgresWarehouse;
  let copies = 0;
  /** The table each COPY wrote to, in order. */
  const copiedInto: string[] = [];
  const never = new AbortController().signal;
  const dest = (table: string): PostgresDestination => ({ id: 'table', type: 'postgres', credentials: 'pg', table });

  before(async () => {
    fx = await pgFixture();
    const db = await fx.server.admin(fx.database);
    try {
      await db.query(`
        CREATE TABLE public.dest_kinds (id bigint PRIMARY KEY, label text, exact numeric(40,20), huge bigint, doc jsonb, flag boolean, score integer);
        CREATE TABLE public.dest_arrays (id bigint PRIMARY KEY, tags text[], doc jsonb);
        CREATE TABLE public.dest_straight (id bigint PRIMARY KEY, label text);
        CREATE TABLE public.dest_no_key (id bigint, label text);
        GRANT ALL ON public.dest_kinds, public.dest_arrays, public.dest_straight, public.dest_no_key TO ${fx.reader.user};`);
    } finally {
      await db.end();
    }
    warehouse = new PostgresWarehouse(fx.credentials(fx.reader), fx.reader.password);
    // Counts the COPYs the destination runs through its sessions.
    const withSession = warehouse.withSqlSession.bind(warehouse);
    warehouse.withSqlSession = (signal, fn) => withSession(signal, (s) => fn({ ...s, copyFrom: (sql, data) => (copies++, copiedInto.push(/^COPY (\S+)/.exec(sql)![1]!), s.copyFrom!(sql, data)) }));
  });

  after(async () => {
    await warehouse?.close();
  });

  const upsert = (id: number, json: string): SyncRecord => ({ op: 'upsert', key: String(id), hash: null, fields: parsePayload(json) });
  const rows = (sql: string) => warehouse.withSqlSession(never, (s) => s.query<Record<string, string | null>>(sql));

  it('round-trips NULL, empty and awkward strings, exact numerics, JSON and booleans', async () => {
    const records = AWKWARD.map((label, i) =>
      upsert(i + 1, JSON.stringify({ id: i + 1, label, flag: i % 3 === 0 ? true : i % 3 === 1 ? false : null }).replace('}', `, "exact": 12345678901234567890.1234567890123456789${i}, "huge": ${9223372036854775807n - BigInt(i)}, "doc": {"n": 123456789012345678901234567890, "s": "x\\ty"}}`)),
    );
    records.push(upsert(100, '{"id": 100, "label": null, "exact": null, "huge": null, "doc": null, "flag": null}'));
    const d = postgresDestination(dest('public.dest_kinds'), warehouse, 'id');
    assert.deepEqual(await d.deliver(records, never), []);
    assert.equal(copies, 1, 'one COPY for the batch');
    const got = await rows(`SELECT id::text, label, exact::text, huge::text, doc::text, flag::text FROM public.dest_kinds ORDER BY dest_kinds.id`);
    assert.deepEqual(
      got.map((r) => r.label),
      [...AWKWARD, null],
      'NULL and the empty string stay apart; every string arrives as sent',
    );
    assert.deepEqual(got[0], { id: '1', label: '', exact: '12345678901234567890.12345678901234567890', huge: '9223372036854775807', doc: '{"n": 123456789012345678901234567890, "s": "x\\ty"}', flag: 'true' });
    assert.equal(got[4]!.huge, '9223372036854775803');
    assert.deepEqual(got.at(-1), { id: '100', label: null, exact: null, huge: null, doc: null, flag: null });
    // Delivered again with changes: the key decides, nothing doubles.
    assert.deepEqual(await d.deliver([upsert(1, '{"id": 1, "label": "changed"}'), { op: 'delete', key: '2', hash: null, fields: {} }, upsert(3, '{"id": 3, "label": "also"}')], never), []);
    const after = await rows(`SELECT id::text, label FROM public.dest_kinds WHERE dest_kinds.id <= 3 ORDER BY dest_kinds.id`);
    assert.deepEqual(after, [{ id: '1', label: 'changed' }, { id: '3', label: 'also' }]);
  });

  it('a bad value refuses only its row, with PostgreSQL\'s message; JSON arrays reach an array column', async () => {
    const d = postgresDestination(dest('public.dest_kinds'), warehouse, 'id');
    const rejected = await d.deliver([upsert(201, '{"id": 201, "score": 1}'), upsert(202, '{"id": 202, "score": "many"}'), upsert(203, '{"id": 203, "score": 3}')], never);
    assert.deepEqual(rejected.map((r) => r.key), ['202']);
    assert.match(rejected[0]!.reason, /invalid input syntax for type integer/);
    assert.deepEqual(await rows(`SELECT id::text FROM public.dest_kinds WHERE dest_kinds.id > 200 ORDER BY dest_kinds.id`), [{ id: '201' }, { id: '203' }]);
    const copiesBefore = copies;
    const arrays = postgresDestination(dest('public.dest_arrays'), warehouse, 'id');
    assert.deepEqual(await arrays.deliver([upsert(1, '{"id": 1, "tags": ["a", "b,c", "\\""], "doc": [1, 2]}'), upsert(2, '{"id": 2, "tags": [], "doc": {"k": null}}')], never), []);
    assert.deepEqual(await rows(`SELECT id::text, tags::text, doc::text FROM public.dest_arrays ORDER BY dest_arrays.id`), [
      { id: '1', tags: '{a,"b,c","\\""}', doc: '[1, 2]' },
      { id: '2', tags: '{}', doc: '{"k": null}' },
    ]);
    assert.equal(copies, copiesBefore, 'an array column: the batch went as JSON');
  });

  it('COPYs straight into the table while its keys are new; the first key there already rolls that COPY back and merges', async () => {
    const d = postgresDestination(dest('public.dest_straight'), warehouse, 'id');
    const batch = (ids: number[], label: string) => ids.map((id) => upsert(id, JSON.stringify({ id, label })));
    copiedInto.length = 0;
    assert.deepEqual(await d.deliver(batch([1, 2, 3], 'first'), never), []);
    assert.deepEqual(copiedInto, ['"public"."dest_straight"']);
    // Key 3 is there: the straight COPY fails and is rolled back whole, then the batch is merged.
    assert.deepEqual(await d.deliver(batch([3, 4, 5], 'second'), never), []);
    assert.deepEqual(copiedInto.slice(1), ['"public"."dest_straight"', 'pg_temp.retl_batch']);
    // From then on every batch is merged at once.
    assert.deepEqual(await d.deliver(batch([6], 'third'), never), []);
    assert.deepEqual(copiedInto.slice(3), []);
    assert.deepEqual(await d.deliver(batch([6, 7], 'fourth'), never), []);
    assert.deepEqual(copiedInto.slice(3), ['pg_temp.retl_batch']);
    assert.deepEqual(await rows(`SELECT id::text, label FROM public.dest_straight ORDER BY dest_straight.id`), [
      { id: '1', label: 'first' },
      { id: '2', label: 'first' },
      { id: '3', label: 'second' },
      { id: '4', label: 'second' },
      { id: '5', label: 'second' },
      { id: '6', label: 'fourth' },
      { id: '7', label: 'fourth' },
    ]);
  });

  it('a table whose key column is not unique is never COPYed straight into: no second row for a key', async () => {
    const d = postgresDestination(dest('public.dest_no_key'), warehouse, 'id');
    const rejected = await d.deliver([upsert(1, '{"id": 1, "label": "a"}'), upsert(2, '{"id": 2, "label": "b"}')], never);
    assert.deepEqual(rejected.map((r) => r.key), ['1', '2']);
    assert.match(rejected[0]!.reason, /ON CONFLICT/);
    assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM public.dest_no_key`), [{ n: 0 }]);
  });
});
