// A PostgreSQL table as destination: each batch is upserted on the key column in one statement
// (jsonb_populate_recordset casts every field to the column's type) and deletes go by key. When the
// batch as a whole is refused for its data (a bad value, a constraint), rows are tried one by one so only
// the offending ones are rejected, each with PostgreSQL's message.
import type { PostgresDestination } from '../../../protocol/src/config';
import { quoteIdent } from '../warehouse/postgres/pgSql';
import { WarehouseError, type SqlSession, type Warehouse } from '../warehouse/warehouse';
import { TransientDeliveryError, type Rejection, type SyncDestination, type SyncRecord } from './destination';

/** SQLSTATE classes that mean "this data", not "this connection": 22 data exception, 23 integrity. */
const DATA_ERROR = /^(22|23)/;

export function postgresDestination(d: PostgresDestination, warehouse: Warehouse, keyField: string): SyncDestination {
  const table = d.table.split('.').map(quoteIdent).join('.');
  const key = quoteIdent(keyField);
  const withSession = warehouse.withSqlSession?.bind(warehouse);
  if (!withSession) throw new Error(`Destination "${d.id}": its credentials cannot take writes.`);

  async function write(session: SqlSession, records: SyncRecord[]): Promise<void> {
    const upserts = records.filter((r) => r.op === 'upsert');
    const deletes = records.filter((r) => r.op === 'delete').map((r) => r.key);
    await session.query('BEGIN');
    try {
      if (upserts.length) {
        const columns = [...new Set(upserts.flatMap((r) => Object.keys(r.fields)))].map(quoteIdent);
        const updates = columns.filter((c) => c !== key).map((c) => `${c} = EXCLUDED.${c}`);
        await session.query(
          `INSERT INTO ${table} (${columns.join(', ')})
           SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
           ON CONFLICT (${key}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
          [JSON.stringify(upserts.map((r) => r.fields))],
        );
      }
      if (deletes.length) await session.query(`DELETE FROM ${table} WHERE ${key}::text = ANY($1::text[])`, [deletes]);
      await session.query('COMMIT');
    } catch (err) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  return {
    async deliver(records: SyncRecord[], signal: AbortSignal): Promise<Rejection[]> {
      try {
        return await withSession(signal, async (session) => {
          try {
            await write(session, records);
            return [];
          } catch (err) {
            if (!DATA_ERROR.test(sqlState(err))) throw err;
            const rejected: Rejection[] = [];
            for (const r of records) {
              try {
                await write(session, [r]);
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

function sqlState(err: unknown): string {
  const e = err as { code?: string; options?: { code?: string } };
  return (err instanceof WarehouseError ? e.options?.code : e.code) ?? '';
}
