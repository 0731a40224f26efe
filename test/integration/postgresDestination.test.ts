// The PostgreSQL destination on a real server: a batch goes through COPY (CSV) into a temporary table and
// one INSERT ... ON CONFLICT, and every awkward value arrives as it left the warehouse: NULL and the empty
// string apart, tabs, newlines, carriage returns, backslashes, quotes, a lone \. (COPY's end-of-data
// marker), unicode, numbers beyond 2^53 and numerics with 20 decimals, JSON with big numbers, booleans.
import { strict as assert } from 'node:assert';
import type { PostgresDestination } from '../../protocol/src/config';
import type { CsvBatch, SyncRecord } from '../../server/src/sync/destination';
import { parsePayload } from '../../server/src/sync/payloadJson';
import { postgresDestination } from '../../server/src/sync/postgresDestination';
import { VALUE_TEXT_SETTINGS } from '../../server/src/warehouse/postgres/modelRunner';
import { PostgresWarehouse } from '../../server/src/warehouse/postgres/postgresWarehouse';
import { pgFixture, type PgFixture } from './pgFixture';

/** Columns of every kind a model gives, as the source's and the table's types (the same). */
const TYPED_COLUMNS: [column: string, type: string][] = [
  ['id', 'integer'],
  ['label', 'text'],
  ['exact', 'numeric(40,20)'],
  ['huge', 'bigint'],
  ['ratio', 'double precision'],
  ['doc', 'jsonb'],
  ['flag', 'boolean'],
  ['tags', 'text[]'],
  ['at', 'timestamp with time zone'],
  ['day', 'date'],
  ['span', 'interval'],
  ['raw', 'bytea'],
];

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
        CREATE TABLE public.dest_typed (${TYPED_COLUMNS.map(([c, t]) => `${c} ${t}${c === 'id' ? ' PRIMARY KEY' : ''}`).join(', ')});
        CREATE TABLE public.dest_retyped (id integer PRIMARY KEY, label varchar(200), score bigint);
        CREATE TABLE public.dest_limited (id integer PRIMARY KEY, label varchar(200));
        CREATE TABLE public.dest_rls (id bigint PRIMARY KEY, label text);
        ALTER TABLE public.dest_rls ENABLE ROW LEVEL SECURITY;
        CREATE POLICY every_row ON public.dest_rls USING (true) WITH CHECK (true);
        GRANT ALL ON public.dest_rls TO ${fx.reader.user};
        GRANT ALL ON public.dest_kinds, public.dest_arrays, public.dest_straight, public.dest_no_key, public.dest_typed, public.dest_retyped, public.dest_limited TO ${fx.reader.user};`);
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

  /** The warehouse's own CSV of `select` (its columns in TYPED_COLUMNS order), as a sync's work table gives it. */
  async function warehouseCsv(select: string, types: [string, string][], records: SyncRecord[] = []): Promise<CsvBatch> {
    const text = await warehouse.withSqlSession(never, async (s) => {
      for (const [name, value] of VALUE_TEXT_SETTINGS) await s.query(`SET ${name} = '${value}'`);
      return s.copyTo!(`COPY (${select}) TO STDOUT (FORMAT csv)`);
    });
    return { fields: types.map(([name, type]) => ({ name, type, builtin: true })), read: async () => text, records: async () => records };
  }
  /** A record whose fields must not be read: the batch goes as the warehouse wrote it. */
  const unread = (key: string): SyncRecord => ({
    op: 'upsert',
    key,
    hash: null,
    get fields(): Record<string, unknown> {
      throw new Error(`the fields of ${key} were parsed`);
    },
  });

  it('takes the warehouse\'s own CSV when the column types are the model\'s: every value arrives as it was, none parsed on the way', async () => {
    const select = `SELECT g AS id, (ARRAY[${AWKWARD.map((a) => `'${a.replace(/'/g, "''")}'`).join(', ')}, NULL])[1 + g % ${AWKWARD.length + 1}] AS label,
      (g || '.' || repeat('7', 20))::numeric(40,20) AS exact, 9223372036854775807 - g AS huge, (1.0 / g)::double precision AS ratio,
      jsonb_build_object('n', 123456789012345678901234567890, 's', E'x\\ty', 'g', g) AS doc, g % 2 = 0 AS flag,
      ARRAY['a', 'b,c', E'q"q', NULL] AS tags, timestamptz '2026-03-29 01:30:00+01' + g * interval '1 hour' AS at,
      date '2026-01-01' + g AS day, g * interval '1 day 2 hours' AS span, decode(md5(g::text), 'hex') AS raw
      FROM generate_series(1, 40) AS g`;
    const csv = await warehouseCsv(select, TYPED_COLUMNS);
    const d = postgresDestination(dest('public.dest_typed'), warehouse, 'id');
    copiedInto.length = 0;
    assert.deepEqual(await d.deliver(Array.from({ length: 40 }, (_, i) => unread(String(i + 1))), never, csv), []);
    assert.deepEqual(copiedInto, ['"public"."dest_typed"'], 'one COPY of the warehouse\'s text, straight into the table');
    const cols = TYPED_COLUMNS.map(([c]) => `${c}::text`).join(', ');
    const source = await rows(`SELECT ${cols} FROM (${select}) AS s ORDER BY id`);
    const landed = await rows(`SELECT ${cols} FROM public.dest_typed ORDER BY id`);
    assert.deepEqual(landed, source);
    assert.ok(landed.some((r) => r.label === null) && landed.some((r) => r.label === ''), 'NULL and the empty string both arrived, apart');
  });

  it('merges the warehouse\'s CSV into rows it holds; other column types take values written here; a bad row alone is refused', async () => {
    const d = postgresDestination(dest('public.dest_typed'), warehouse, 'id');
    const again = await warehouseCsv(`SELECT 1 AS id, 'changed' AS label`, [['id', 'integer'], ['label', 'text']]);
    assert.deepEqual(await d.deliver([unread('1')], never, again), []);
    assert.deepEqual(await rows(`SELECT label FROM public.dest_typed WHERE id = 1`), [{ label: 'changed' }]);
    // The table's types differ from the model's (varchar(200), bigint): the values go the usual way.
    const retyped = postgresDestination(dest('public.dest_retyped'), warehouse, 'id');
    const csv: CsvBatch = {
      fields: [{ name: 'id', type: 'integer', builtin: true }, { name: 'label', type: 'text', builtin: true }, { name: 'score', type: 'integer', builtin: true }],
      read: () => Promise.reject(new Error('the warehouse\'s CSV was read for a table of other types')),
      records: () => Promise.reject(new Error('read again for a table of other types')),
    };
    assert.deepEqual(await retyped.deliver([upsert(1, '{"id": 1, "label": "one", "score": 5}'), upsert(2, '{"id": 2, "label": "two", "score": 6}')], never, csv), []);
    assert.deepEqual(await rows(`SELECT id::text, label, score::text FROM public.dest_retyped ORDER BY id`), [
      { id: '1', label: 'one', score: '5' },
      { id: '2', label: 'two', score: '6' },
    ]);
    // A value the table refuses: the batch is tried row by row from the rows' fields, only that one refused.
    // The batch came without fields (as a run sends it to such a table): they are read again for that.
    const withFields = [upsert(3, JSON.stringify({ id: 3, label: 'x'.repeat(300) })), upsert(4, '{"id": 4, "label": "fine"}')];
    const tooLong = await warehouseCsv(`SELECT 3 AS id, repeat('x', 300) AS label UNION ALL SELECT 4, 'fine'`, [['id', 'integer'], ['label', 'character varying(200)']], withFields);
    const limited = postgresDestination(dest('public.dest_limited'), warehouse, 'id');
    copiedInto.length = 0;
    const rejected = await limited.deliver([unread('3'), unread('4')], never, tooLong);
    assert.equal(copiedInto[0], '"public"."dest_limited"', 'the warehouse\'s CSV was tried first');
    assert.deepEqual(rejected.map((r) => r.key), ['3']);
    assert.match(rejected[0]!.reason, /too long/);
    assert.deepEqual(await rows(`SELECT id::text, label FROM public.dest_limited ORDER BY id`), [{ id: '4', label: 'fine' }]);
  });

  it('a table with row-level security (which COPY FROM refuses) is merged, never COPYed straight into', async () => {
    const d = postgresDestination(dest('public.dest_rls'), warehouse, 'id');
    copiedInto.length = 0;
    assert.deepEqual(await d.deliver([upsert(1, '{"id": 1, "label": "a"}'), upsert(2, '{"id": 2, "label": "b"}')], never), []);
    assert.deepEqual(copiedInto, ['pg_temp.retl_batch']);
    assert.deepEqual(await rows(`SELECT id::text, label FROM public.dest_rls ORDER BY id`), [{ id: '1', label: 'a' }, { id: '2', label: 'b' }]);
  });
});
