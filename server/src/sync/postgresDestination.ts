// A PostgreSQL table as destination. A batch's upserts are COPYed as CSV — the source warehouse's own when
// it writes it and the table's columns have the model's types, else written here (copyCsv.ts) — into a
// temporary table dropped at commit and merged with one INSERT ... ON CONFLICT on the key column, or, while
// no key is found there already, straight into the table; deletes go by key; one transaction per batch.
// Where COPY cannot carry a value (a JSON array into an array column) or the session
// has no COPY (the demo warehouse), the batch goes as JSON through jsonb_populate_recordset, which casts
// every field to its column's type. When a batch is refused for its data (a bad value, a constraint), rows
// are tried one by one so only the offending ones are rejected, each with PostgreSQL's message.
import type { PostgresDestination } from '../../../protocol/src/config';
import { quoteIdent } from '../warehouse/postgres/pgSql';
import { sqlState, UNIQUE_VIOLATION, type SqlSession, type Warehouse, type WarehouseError } from '../warehouse/warehouse';
import { copyCsv } from './copyCsv';
import { TransientDeliveryError, type CsvBatch, type Rejection, type SyncDestination, type SyncRecord } from './destination';
import { payloadJson } from './payloadJson';

/** SQLSTATE classes that mean "this data", not "this connection": 22 data exception, 23 integrity. */
const DATA_ERROR = /^(22|23)/;

export function postgresDestination(d: PostgresDestination, warehouse: Warehouse, keyField: string): SyncDestination {
  const table = d.table.split('.').map(quoteIdent).join('.');
  const key = quoteIdent(keyField);
  const withSession = warehouse.withSqlSession?.bind(warehouse);
  if (!withSession) throw new Error(`Destination "${d.id}": its credentials cannot take writes.`);
  /** Sessions of a PostgreSQL server take COPY; the demo warehouse's do not. */
  const withCopy = warehouse.type === 'postgres';

  /** The table's columns of an array type, once per run: COPY's CSV has no JSON-array-to-array cast. */
  let arrayColumns: Promise<Set<string>> | undefined;
  const arraysOf = (session: SqlSession) =>
    (arrayColumns ??= session
      .query<{ name: string }>(
        `SELECT a.attname AS name FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND t.typcategory = 'A'`,
        [table],
      )
      .then((rows) => new Set(rows.map((r) => r.name))));

  /**
   * Whether a COPY straight into the table refuses a key it holds already: a unique index on the key
   * column alone, checked at once (not deferred), on every row. Without one a COPY would add a second
   * row where the upsert updates the first.
   */
  let keyIsUnique: Promise<boolean> | undefined;
  const uniqueKeyOf = (session: SqlSession) =>
    (keyIsUnique ??= session
      .query<{ ok: boolean }>(
        // COPY FROM refuses a table with row-level security and bypasses its rules: those are merged.
        `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        JOIN pg_class c ON c.oid = i.indrelid
         WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indimmediate AND i.indnkeyatts = 1
           AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = $2 AND NOT c.relrowsecurity AND NOT c.relhasrules) AS ok`,
        [table, keyField],
      )
      .then((rows) => rows[0]?.ok === true));
  // Until a batch meets a key the table holds, batches are COPYed straight into it (a first sync, a
  // table emptied by hand): a fifth of the merge's time. The first conflict rolls that batch's COPY back
  // and every later batch is merged.
  let straight = true;

  /**
   * Whether the table takes the warehouse's own CSV of these fields as it is: each column there, of the
   * same built-in type (then PostgreSQL's text output reads back as the same value; a type of the user's
   * may be named alike and be another, a composite with its fields in another order). Not money, whose
   * text follows each database's locale. Asked once per run.
   */
  let columnTypes: Promise<Map<string, string>> | undefined;
  const takesAsItIs = async (fields: CsvBatch['fields'], signal: AbortSignal): Promise<boolean> => {
    if (!withCopy) return false;
    columnTypes ??= withSession(signal, (session) =>
      session.query<{ name: string; type: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [table],
      ),
    ).then((rows) => new Map(rows.map((r) => [r.name, r.type])));
    const types = await columnTypes.catch(() => new Map<string, string>());
    return fields.every((f) => f.builtin && f.type !== 'money' && types.get(f.name) === f.type);
  };

  /**
   * One transaction for the batch. Upserts go as the warehouse's CSV when given, else as CSV written here
   * (`copy`), else as JSON (one row, an array column, or a session without COPY).
   */
  async function write(session: SqlSession, records: SyncRecord[], values: 'copy' | 'json' | { fields: string[]; csv: string }): Promise<void> {
    const upserts = records.filter((r) => r.op === 'upsert');
    const deletes = records.filter((r) => r.op === 'delete').map((r) => r.key);
    const given = typeof values === 'object' ? values : undefined;
    // The warehouse's CSV names its fields: no row is parsed for them.
    const fields = given ? given.fields : [...new Set(upserts.flatMap((r) => Object.keys(r.fields)))];
    const columns = fields.map(quoteIdent);
    const updates = columns.filter((c) => c !== key).map((c) => `${c} = EXCLUDED.${c}`);
    const onConflict = `ON CONFLICT (${key}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
    let csv = given?.csv;
    if (!given && values === 'copy' && session.copyFrom && upserts.length > 1) {
      const arrays = await arraysOf(session);
      if (!fields.some((f) => arrays.has(f))) csv = copyCsv(upserts.map((r) => r.fields), fields);
    }
    await session.query('BEGIN');
    try {
      if (upserts.length && csv !== undefined) {
        if (!(straight && (await uniqueKeyOf(session)) && (await copyStraight(session, columns, csv)))) {
          await session.query(`CREATE TEMP TABLE retl_batch ON COMMIT DROP AS SELECT ${columns.join(', ')} FROM ${table} WITH NO DATA`);
          await session.copyFrom!(`COPY pg_temp.retl_batch (${columns.join(', ')}) FROM STDIN (FORMAT csv)`, csv);
          await session.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM pg_temp.retl_batch ${onConflict}`);
        }
      } else if (upserts.length) {
        await session.query(
          `INSERT INTO ${table} (${columns.join(', ')})
           SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
           ${onConflict}`,
          [payloadJson(upserts.map((r) => r.fields))],
        );
      }
      if (deletes.length) await session.query(`DELETE FROM ${table} WHERE ${key}::text = ANY($1::text[])`, [deletes]);
      await session.query('COMMIT');
    } catch (err) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** COPY into the table itself; false (and nothing written) when a key is there already. */
  async function copyStraight(session: SqlSession, columns: string[], csv: string): Promise<boolean> {
    await session.query('SAVEPOINT retl_straight');
    try {
      await session.copyFrom!(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT csv)`, csv);
      await session.query('RELEASE SAVEPOINT retl_straight');
      return true;
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      straight = false;
      await session.query('ROLLBACK TO SAVEPOINT retl_straight');
      return false;
    }
  }

  return {
    takesCsv: takesAsItIs,
    async deliver(records: SyncRecord[], signal: AbortSignal, csv?: CsvBatch): Promise<Rejection[]> {
      // Read from the warehouse before the destination's session: its failure is the warehouse's, not ours.
      const warehouseCsv = csv && records.some((r) => r.op === 'upsert') && (await takesAsItIs(csv.fields, signal)) ? { fields: csv.fields.map((f) => f.name), csv: await csv.read() } : undefined;
      try {
        return await withSession(signal, async (session) => {
          try {
            await write(session, records, warehouseCsv ?? 'copy');
            return [];
          } catch (err) {
            if (!DATA_ERROR.test(sqlState(err))) throw err;
            const rejected: Rejection[] = [];
            // Row by row needs each row's fields: read again when the batch came without them.
            for (const r of warehouseCsv ? await csv!.records() : records) {
              try {
                await write(session, [r], 'json');
              } catch (one) {
                if (!DATA_ERROR.test(sqlState(one))) throw one;
                rejected.push({ key: r.key, reason: (one as Error).message });
              }
            }
            return rejected;
          }
        });
      } catch (err) {
        if (signal.aborted) throw err;
        const e = err as WarehouseError;
        // A missing table or column is the user's to fix, not a hiccup: every row is refused with the reason.
        if (/^42/.test(sqlState(err))) return records.map((r) => ({ key: r.key, reason: e.message }));
        throw new TransientDeliveryError(`${d.id}: ${e.message}`);
      }
    },
    close: async () => undefined,
  };
}

