// The embedded demo warehouse behind the Warehouse interface. PGlite is one backend, so a preview
// cannot hold a transaction open for its cursor without blocking every other query: each page runs in
// a short READ ONLY transaction instead (LIMIT for page 1, OFFSET for later pages). The sample data
// does not change under the user, so pages stay consistent.
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
import { abortError, FetchSize, FirstPage, WarehouseError, type Catalog, type PreviewCursor, type PreviewOptions, type ResultReader, type RowsPage, type SqlSession, type TextRow, type Warehouse } from '../warehouse';
import { fetchSql, resultColumns } from '../postgres/pgReadAll';
import { DemoQueryError, openDemoWarehouse, type DemoHost, type RunOptions } from './demoWarehouse';
import type { DemoStep } from './demoMessages';
import { declareSql, DECLARE_PREFIX, limitSql, MODEL_PREFIX, modelSettingsSql, offsetSql, positionInStatement, type ModelRunSettings } from '../postgres/modelRunner';

const DEMO_USER = 'postgres';

export class DemoWarehouse implements Warehouse {
  readonly type = 'demo' as const;
  private readonly host: DemoHost;

  constructor(dataDir: string) {
    this.host = openDemoWarehouse(dataDir);
  }

  private async rows<R>(sql: string, params: unknown[] | undefined, signal: AbortSignal | undefined, send = this.host.run.bind(this.host)): Promise<R[]> {
    const [r] = await demoErrors(send([{ sql, ...(params ? { params } : {}) }], signal ? { signal } : {}));
    return r!.rows as R[];
  }

  async withSqlSession<T>(signal: AbortSignal, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    // The whole session has the database to itself: its BEGIN … COMMIT never meets a preview's statements.
    return this.host.session(signal, (send) =>
      fn({
        // The engine's own statements are short and not cancelled: after a cancelled model read the sync
        // still records how far it got and lets go of its lock, as on PostgreSQL.
        query: <R>(text: string, params?: unknown[]) => this.rows<R>(text, params, undefined, send),
        // PGlite's query() is the extended protocol: one statement, parsed after the SET LOCALs ran.
        readModel: async (text: string, settings: ModelRunSettings) => {
          const steps = [{ sql: `SET TRANSACTION READ ONLY; ${modelSettingsSql(settings)}`, exec: true }, { sql: text }];
          const [, r] = await demoErrors(send(steps, { transaction: 'commit', timeoutMs: settings.timeoutMs, signal }));
          return { columns: r!.fields.map((f) => f.name), types: r!.fields.map((f) => ({ oid: f.dataTypeID, typmod: -1 })) };
        },
      }),
    );
  }

  async checkConnection(signal: AbortSignal): Promise<void> {
    await this.rows('SELECT 1', undefined, signal);
  }

  async listCatalog(signal: AbortSignal): Promise<Catalog> {
    const schemas = await this.rows<{ schema: string }>(SCHEMAS_SQL, undefined, signal);
    const rows = await this.rows<CatalogRow>(CATALOG_SQL, undefined, signal);
    return buildCatalog(schemas.map((r) => r.schema), rows);
  }

  async checkStateSchema(schema: string, signal: AbortSignal): Promise<void> {
    const remediation = stateSchemaRemediation(schema, DEMO_USER);
    const exists = await this.rows('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema], signal);
    if (exists.length === 0) throw new WarehouseError(`The state schema "${schema}" does not exist in the demo warehouse.`, 'stateSchema', { remediation });
    const table = `${quoteIdent(schema)}.${quoteIdent(probeTableName())}`;
    try {
      await demoErrors(this.host.run([{ sql: `CREATE TABLE ${table} (id integer)` }, { sql: `DROP TABLE ${table}` }], { transaction: 'rollback', signal }));
    } catch (err) {
      if (!(err instanceof WarehouseError) || err.kind !== 'other' || !err.options.code) throw err;
      throw new WarehouseError(`Cannot create tables in "${schema}": ${err.message}`, 'stateSchema', { remediation, cause: err });
    }
  }

  async openPreview(statement: string, options: PreviewOptions): Promise<PreviewCursor> {
    const cursor = new DemoPreviewCursor(this.host, statement, options.timeoutMs);
    await cursor.start(options.signal);
    return cursor;
  }

  /**
   * One session holds the database for the whole read (PGlite is one backend: previews wait meanwhile),
   * with a cursor FETCHed in batches. Each FETCH is bounded by the timeout, which restarts the worker.
   */
  async readAll(statement: string, options: PreviewOptions, reader: ResultReader): Promise<void> {
    await this.host.session(options.signal, async (send) => {
      const run = async (sql: string, prefix: number) => {
        const [r] = await demoErrors(send([{ sql, raw: true }], { timeoutMs: options.timeoutMs, signal: options.signal }), 0, prefix);
        return r!;
      };
      await demoErrors(send([{ sql: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${modelSettingsSql({ timeoutMs: options.timeoutMs, idleMs: 60_000 })}`, exec: true }], { signal: options.signal }));
      await run(declareSql(statement), DECLARE_PREFIX.length);
      const size = new FetchSize();
      for (let first = true; ; first = false) {
        if (options.signal.aborted) throw abortError();
        const count = size.count;
        const r = await run(fetchSql(count), 0);
        if (first) {
          const oids = r.fields.map((f) => f.dataTypeID);
          const [types] = await demoErrors(send([{ sql: COLUMN_TYPES_SQL, params: [oids, oids.map(() => -1)] }], { signal: options.signal }));
          await reader.columns(resultColumns(r.fields, (types!.rows as { type: string }[]).map((t) => t.type)));
        }
        const rows = r.rows as TextRow[];
        if (rows.length > 0) await reader.rows(rows);
        if (rows.length < count) return;
        size.after(rows);
      }
    });
  }

  async close(): Promise<void> {
    // The demo database is shared by the whole process and closed when the engine stops.
  }
}

/** The demo database's failures as WarehouseErrors; `modelStep`'s position is moved into the model. */
async function demoErrors<T>(p: Promise<T>, modelStep?: number, prefixLength = MODEL_PREFIX.length): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof DemoQueryError)) throw err;
    const { failure } = err;
    const offset = failure.step === modelStep ? positionInStatement(failure.position, prefixLength) : undefined;
    throw new WarehouseError(failure.message, 'other', {
      ...(failure.code ? { code: failure.code } : {}),
      cause: err,
      ...(offset !== undefined ? { position: offset } : {}),
    });
  }
}

class DemoPreviewCursor implements PreviewCursor {
  columns: PreviewColumn[] = [];
  private readonly first = new FirstPage();
  private oids: number[] = [];

  constructor(
    private readonly host: DemoHost,
    private readonly statement: string,
    private readonly timeoutMs: number,
  ) {}

  /** One page of the model in a READ ONLY transaction of its own, stopped after the preview timeout. */
  private async page(sql: string, signal: AbortSignal) {
    const settings: DemoStep = { sql: `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; ${modelSettingsSql({ timeoutMs: this.timeoutMs, idleMs: 60_000 })}`, exec: true };
    const options: RunOptions = { transaction: 'commit', timeoutMs: this.timeoutMs, signal };
    const [, r] = await demoErrors(this.host.run([settings, { sql, raw: true }], options), 1);
    return r!;
  }

  private cells(rows: unknown[]): Cell[][] {
    return (rows as unknown[][]).map((row) => row.map((v, i) => pgCell(this.oids[i] ?? 25, v as string | null)));
  }

  async start(signal: AbortSignal): Promise<void> {
    const r = await this.page(limitSql(this.statement, PAGE_SIZE + 1), signal);
    this.oids = r.fields.map((f) => f.dataTypeID);
    const [types] = await demoErrors(this.host.run([{ sql: COLUMN_TYPES_SQL, params: [this.oids, this.oids.map(() => -1)] }], { signal }));
    this.columns = columnsFrom(r.fields, (types!.rows as { type: string }[]).map((t) => t.type));
    this.first.hold(this.cells(r.rows));
  }

  takeFirst(): RowsPage {
    return this.first.take();
  }

  async rows(start: number, count: number, signal: AbortSignal): Promise<RowsPage> {
    const rows = this.cells((await this.page(offsetSql(this.statement, start, count + 1), signal)).rows);
    return { rows: rows.slice(0, count), hasMore: rows.length > count };
  }

  async close(): Promise<void> {
    // Nothing is held between pages.
  }
}
