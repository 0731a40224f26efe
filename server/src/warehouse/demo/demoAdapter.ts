// The embedded demo warehouse behind the Warehouse interface. PGlite is one in-process backend, so a
// preview cannot hold a transaction open for its cursor without blocking every other query: each page
// runs in a short READ ONLY transaction instead (LIMIT for page 1, OFFSET for later pages). The sample
// data does not change under the user, so pages stay consistent.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { PAGE_SIZE, type Cell, type PreviewColumn } from '../../../../protocol/src/preview';
import { pgCell } from '../../preview/cells';
import {
  buildCatalog,
  CATALOG_SQL,
  COLUMN_TYPES_SQL,
  columnsFrom,
  probeTableName,
  quoteIdent,
  SCHEMAS_SQL,
  stateSchemaRemediation,
  type CatalogRow,
} from '../postgres/pgSql';
import { abortError, WarehouseError, type Catalog, type PreviewCursor, type PreviewOptions, type RowsPage, type SqlSession, type Warehouse } from '../warehouse';
import { openDemoWarehouse } from './demoWarehouse';
import { limitSql, MODEL_PREFIX, modelSettingsSql, offsetSql, positionInStatement, type ModelRunSettings } from '../postgres/modelRunner';

const DEMO_USER = 'postgres';
// Oids PGlite would turn into JavaScript values; the preview wants the warehouse's own text.
const RAW_OIDS = [16, 17, 20, 21, 23, 26, 114, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802];
const RAW_PARSERS = Object.fromEntries(RAW_OIDS.map((oid) => [oid, (v: string) => v]));

export class DemoWarehouse implements Warehouse {
  readonly type = 'demo' as const;

  constructor(private readonly dataDir: string) {}

  private db(): Promise<PGlite> {
    return openDemoWarehouse(this.dataDir).catch((err: unknown) => {
      throw new WarehouseError(`The demo warehouse could not start: ${(err as Error).message}`, 'other', { cause: err });
    });
  }

  async withSqlSession<T>(signal: AbortSignal, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (signal.aborted) throw abortError();
    const db = await this.db();
    return fn({
      query: async <R>(text: string, params?: unknown[]) => (await db.query<R>(text, params)).rows,
      // PGlite's query() is the extended protocol: one statement, parsed after the SET LOCALs ran.
      readModel: (text: string, settings: ModelRunSettings) =>
        db.transaction(async (tx) => {
          await tx.exec(`SET TRANSACTION READ ONLY; ${modelSettingsSql(settings)}`);
          return { columns: (await tx.query(text)).fields.map((f) => f.name) };
        }),
    });
  }

  async checkConnection(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError();
    await (await this.db()).query('SELECT 1');
  }

  async listCatalog(signal: AbortSignal): Promise<Catalog> {
    if (signal.aborted) throw abortError();
    const db = await this.db();
    const schemas = await db.query<{ schema: string }>(SCHEMAS_SQL);
    const rows = await db.query<CatalogRow>(CATALOG_SQL);
    return buildCatalog(schemas.rows.map((r) => r.schema), rows.rows);
  }

  async checkStateSchema(schema: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError();
    const db = await this.db();
    const remediation = stateSchemaRemediation(schema, DEMO_USER);
    const exists = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rows.length === 0) throw new WarehouseError(`The state schema "${schema}" does not exist in the demo warehouse.`, 'stateSchema', { remediation });
    const table = `${quoteIdent(schema)}.${quoteIdent(probeTableName())}`;
    try {
      await db.transaction(async (tx) => {
        await tx.query(`CREATE TABLE ${table} (id integer)`);
        await tx.query(`DROP TABLE ${table}`);
        await tx.rollback();
      });
    } catch (err) {
      throw new WarehouseError(`Cannot create tables in "${schema}": ${(err as Error).message}`, 'stateSchema', { remediation, cause: err });
    }
  }

  async openPreview(statement: string, options: PreviewOptions): Promise<PreviewCursor> {
    const db = await this.db();
    if (options.signal.aborted) throw abortError();
    const cursor = new DemoPreviewCursor(db, statement, options.timeoutMs);
    await cursor.start();
    if (options.signal.aborted) throw abortError();
    return cursor;
  }

  async close(): Promise<void> {
    // The demo database is shared by the whole process and closed when the engine stops.
  }
}

class DemoPreviewCursor implements PreviewCursor {
  columns: PreviewColumn[] = [];
  first: RowsPage = { rows: [], hasMore: false };
  private oids: number[] = [];

  constructor(
    private readonly db: PGlite,
    private readonly statement: string,
    private readonly timeoutMs: number,
  ) {}

  private readOnly<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; ${modelSettingsSql({ timeoutMs: this.timeoutMs, idleMs: 60_000 })}`);
      return fn(tx);
    });
  }

  private async run(tx: Transaction, sql: string) {
    try {
      return await tx.query<unknown[]>(sql, [], { rowMode: 'array', parsers: RAW_PARSERS });
    } catch (err) {
      const offset = positionInStatement((err as { position?: string }).position, MODEL_PREFIX.length);
      throw new WarehouseError((err as Error).message, 'other', {
        code: (err as { code?: string }).code,
        cause: err,
        ...(offset !== undefined ? { position: offset } : {}),
      });
    }
  }

  private cells(rows: unknown[][]): Cell[][] {
    return rows.map((row) => row.map((v, i) => pgCell(this.oids[i] ?? 25, v as string | null)));
  }

  async start(): Promise<void> {
    await this.readOnly(async (tx) => {
      const r = await this.run(tx, limitSql(this.statement, PAGE_SIZE + 1));
      this.oids = r.fields.map((f) => f.dataTypeID);
      const types = await tx.query<{ type: string }>(COLUMN_TYPES_SQL, [this.oids, this.oids.map(() => -1)]);
      this.columns = columnsFrom(r.fields, types.rows.map((t) => t.type));
      const rows = this.cells(r.rows);
      this.first = { rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE };
    });
  }

  async rows(start: number, count: number, signal: AbortSignal): Promise<RowsPage> {
    if (signal.aborted) throw abortError();
    return this.readOnly(async (tx) => {
      const rows = this.cells((await this.run(tx, offsetSql(this.statement, start, count + 1))).rows);
      return { rows: rows.slice(0, count), hasMore: rows.length > count };
    });
  }

  async close(): Promise<void> {
    // Nothing is held between pages.
  }
}
