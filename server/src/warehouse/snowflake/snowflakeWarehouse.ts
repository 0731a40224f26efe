// Snowflake through snowflake-sdk. Every query costs credits, so the preview runs page 1 as a LIMIT
// query and runs the full statement only when the user asks for page 2; later pages stream from that
// one result (statement.streamRows), which Snowflake keeps for 24 hours.
import type { Connection, RowStatement as Statement } from 'snowflake-sdk';
import type { SnowflakeCredentials } from '../../../../protocol/src/config';
import { PAGE_SIZE, type Cell, type PreviewColumn } from '../../../../protocol/src/preview';
import { onAbort } from '../abort';
import { abortError, FetchSize, FirstPage, missingSecretError, timedOutError, WarehouseError, type Catalog, type CatalogSchema, type PreviewCursor, type ConnectionCheck, type PreviewOptions, type ResultColumn, type ResultReader, type RowsPage, type SessionResult, type SqlSession, type TextRow, type Warehouse } from '../warehouse';
import { snowflakeCalls } from '../../sql/statementCheck';
import { loadSnowflakeSdk } from './loadSnowflakeSdk';
import { describeSnowflakeGrants, nameParts, READER_ADVICE, readerRoleSql, roleGrants, writingGrants } from './snowflakeRoleRights';

const FIRST_PREFIX = 'SELECT * FROM (\n';
/** How long the list of external functions is trusted before it is read again. */
const EXTERNAL_LIST_TTL_MS = 60_000;

type Row = unknown[];

interface SfColumn {
  getName(): string;
  getType(): string;
  getScale(): number | undefined;
  getPrecision(): number | undefined;
  getLength?(): number | undefined;
}

/** How long closing waits for a sign-in in flight. */
const CLOSE_WAIT_MS = 2000;

export class SnowflakeWarehouse implements Warehouse {
  readonly type = 'snowflake' as const;
  private connection: Promise<Connection> | undefined;

  constructor(
    private readonly creds: SnowflakeCredentials,
    private readonly secret: string | undefined,
  ) {}

  private connect(signal: AbortSignal): Promise<Connection> {
    if (signal.aborted) return Promise.reject(abortError());
    this.connection ??= this.openConnection();
    this.connection.catch(() => {
      this.connection = undefined; // the next attempt starts afresh
    });
    return this.connection;
  }

  /** A new Snowflake session (a sign-in) with the credentials' role, warehouse and database. */
  private async openConnection(): Promise<Connection> {
    const sdk = await loadSnowflakeSdk();
    const c = this.creds;
    const jwt = c.authenticator === 'SNOWFLAKE_JWT';
    if (!jwt && !this.secret) throw missingSecretError(c.user, c.passwordEnv);
    const conn = sdk.createConnection({
      account: c.account,
      username: c.user,
      ...(c.role ? { role: c.role } : {}),
      ...(c.warehouse ? { warehouse: c.warehouse } : {}),
      ...(c.database ? { database: c.database } : {}),
      ...(c.accessUrl ? { accessUrl: c.accessUrl } : {}),
      ...(jwt
        ? { authenticator: 'SNOWFLAKE_JWT', privateKeyPath: c.privateKeyPath, ...(this.secret ? { privateKeyPass: this.secret } : {}) }
        : { password: this.secret }),
      application: 'retl-models',
      clientSessionKeepAlive: false,
      // Values fetched as strings (NUMBER, VARIANT: exact digits, JSON text) would come back as the text
      // "NULL" for a NULL by default, the same as a VARCHAR holding "NULL". Found on the emulator.
      representNullAsStringNull: false,
    });
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(this.classify(err)) : resolve())));
    try {
      // Only the role in retl.yaml acts: with secondary roles (DEFAULT_SECONDARY_ROLES = ALL, the default
      // for new users since 2024) every role granted to the user would authorise the model's statements.
      await this.execute(conn, 'USE SECONDARY ROLES NONE', new AbortController().signal);
    } catch (err) {
      // The emulator cannot compile it (it has no roles); Snowflake can.
      if (!notCompiledHere(err)) {
        conn.destroy(() => undefined);
        throw err;
      }
    }
    return conn;
  }

  classify(err: unknown, sentPrefixLines = 0, statement?: string): WarehouseError {
    return classifySnowflakeError(err, this.creds, sentPrefixLines, statement);
  }

  /** Runs SQL and collects every row (for small results: the checks and the catalog). */
  async run(sql: string, signal: AbortSignal): Promise<Record<string, unknown>[]> {
    return (await this.execute(await this.connect(signal), sql, signal)).rows;
  }

  /** One statement on `conn`, every row collected; binds as `?`. */
  private async execute(conn: Connection, sqlText: string, signal: AbortSignal, binds?: unknown[]): Promise<{ rows: Record<string, unknown>[]; columns: string[] }> {
    const { stmt, rows } = await this.statement(conn, sqlText, signal, binds, false);
    return { rows, columns: ((stmt.getColumns() ?? []) as unknown as SfColumn[]).map((c) => c.getName()) };
  }

  /**
   * Runs `sqlText` once; its rows stream from the result Snowflake keeps. Ranges read in order continue
   * one stream (a new stream per range would fetch and parse its result chunk again each time).
   */
  private async openResult<R>(conn: Connection, sqlText: string, signal: AbortSignal, binds?: unknown[]): Promise<SessionResult<R>> {
    const { stmt } = await this.statement(conn, sqlText, signal, binds, true);
    const total = stmt.getNumRows();
    let reader: { at: number; next: () => Promise<IteratorResult<R>> } | undefined;
    return {
      total,
      rows: async (start, end) => {
        const last = Math.min(end, total);
        if (last <= start) return [];
        if (!reader || reader.at !== start) {
          const it = (stmt.streamRows({ start, end: total - 1 }) as AsyncIterable<R>)[Symbol.asyncIterator]();
          reader = { at: start, next: () => it.next() };
        }
        const out: R[] = [];
        try {
          while (reader.at < last) {
            const n = await reader.next();
            if (n.done) break;
            out.push(n.value);
            reader.at++;
          }
        } catch (err) {
          reader = undefined;
          throw this.classify(err);
        }
        return out;
      },
    };
  }

  /** One statement, resolved once complete; with `stream` its rows stay with Snowflake until read. */
  private statement(conn: Connection, sqlText: string, signal: AbortSignal, binds: unknown[] | undefined, stream: boolean): Promise<{ stmt: Statement; rows: Record<string, unknown>[] }> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError());
      let stmt: Statement | undefined;
      const stop = onAbort(signal, () => stmt?.cancel(() => undefined));
      stmt = conn.execute({
        sqlText,
        ...(binds ? { binds: binds as never } : {}),
        ...(stream ? { streamResult: true } : {}),
        fetchAsString: ['Number', 'Date', 'JSON'],
        // Snowflake itself refuses a second statement in the text (the default, said out loud).
        parameters: { MULTI_STATEMENT_COUNT: 1 },
        complete: (err, s, rows) => {
          stop();
          if (signal.aborted) reject(abortError());
          else if (err) reject(this.classify(err));
          else resolve({ stmt: s, rows: (rows ?? []) as Record<string, unknown>[] });
        },
      });
    });
  }

  /**
   * A session of its own for a sync run (its work tables and transactions apart from previews and other
   * runs), signed out at the end. Statements take `?` binds; the model text arrives only through
   * readModel, checked as one SELECT that calls no external function.
   */
  async withSqlSession<T>(signal: AbortSignal, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (signal.aborted) throw abortError();
    const conn = await this.openConnection();
    // Cancel stops the statement in flight; what runs after it (the run's history, freeing the lock) still runs.
    const inFlight = () => (signal.aborted ? new AbortController().signal : signal);
    try {
      return await fn({
        query: async <R>(text: string, params?: unknown[]) => (await this.execute(conn, text, inFlight(), params)).rows as R[],
        openResult: async <R>(text: string, params?: unknown[]) => this.openResult<R>(conn, text, inFlight(), params),
        readModel: async (text: string) => {
          if (signal.aborted) throw abortError();
          await this.refuseExternalCalls(conn, text, signal);
          return { columns: (await this.execute(conn, text, signal)).columns };
        },
      });
    } finally {
      await new Promise<void>((resolve) => conn.destroy(() => resolve()));
    }
  }

  /** Signs in, then reads the role's grants: a role that may write outside the state schema is warned about. */
  async checkConnection(signal: AbortSignal, stateSchema: string): Promise<ConnectionCheck | void> {
    const [row] = await this.run('SELECT CURRENT_ROLE() AS ROLE', signal);
    const role = String(row?.ROLE ?? this.creds.role ?? '');
    const reader = readerRoleSql(this.creds, snowflakeSchemaName(stateSchema), quoteSnowflakeName);
    // CURRENT_ROLE() gives the stored name: quoted as it is, not resolved again (a role "analyst" is not ANALYST).
    const show = async (r: string) =>
      (await this.run(`SHOW GRANTS TO ROLE "${r.replace(/"/g, '""')}"`, signal)).map((g) => ({ privilege: String(g.privilege ?? ''), grantedOn: String(g.granted_on ?? ''), name: String(g.name ?? '') }));
    let found: Awaited<ReturnType<typeof roleGrants>>;
    try {
      found = await roleGrants(role, show);
    } catch (err) {
      const e = err as WarehouseError;
      // The emulator cannot compile SHOW GRANTS (it has no roles); Snowflake always can.
      if (notCompiledHere(e)) return {};
      if (e.kind === 'cancelled') throw e;
      // Signed in all the same: the connection passes, with what could not be checked.
      return { warning: { message: `The grants of role "${role}" could not be read (${e.message}), so whether it can change data is not known. ${READER_ADVICE}`, remediation: reader } };
    }
    const database = this.creds.database ? nameParts(quoteSnowflakeName(this.creds.database))[0] : undefined;
    const writing = writingGrants(found.grants, snowflakeSchemaName(stateSchema), database);
    if (found.unread.length) writing.push(...found.unread.map((r) => ({ privilege: 'USAGE', grantedOn: 'ROLE', name: r, via: 'roles past the first 25, not read' })));
    const warning = describeSnowflakeGrants(role, writing, reader);
    return warning ? { warning } : {};
  }

  async listCatalog(signal: AbortSignal): Promise<Catalog> {
    try {
      const schemas = await this.run(`SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME <> 'INFORMATION_SCHEMA' ORDER BY 1`, signal);
      const rows = await this.run(
        `SELECT c.TABLE_SCHEMA, c.TABLE_NAME, t.TABLE_TYPE, t.COMMENT, t.ROW_COUNT, c.COLUMN_NAME, c.DATA_TYPE, c.IS_NULLABLE
         FROM INFORMATION_SCHEMA.COLUMNS c
         JOIN INFORMATION_SCHEMA.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
         WHERE c.TABLE_SCHEMA <> 'INFORMATION_SCHEMA'
         ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`,
        signal,
      );
      const bySchema = new Map<string, CatalogSchema>(schemas.map((s) => [String(s.SCHEMA_NAME), { name: String(s.SCHEMA_NAME), tables: [] }]));
      for (const r of rows) {
        const schemaName = String(r.TABLE_SCHEMA);
        let schema = bySchema.get(schemaName);
        if (!schema) bySchema.set(schemaName, (schema = { name: schemaName, tables: [] }));
        let table = schema.tables[schema.tables.length - 1];
        if (!table || table.name !== String(r.TABLE_NAME)) {
          table = {
            name: String(r.TABLE_NAME),
            kind: String(r.TABLE_TYPE).includes('VIEW') ? 'view' : 'table',
            ...(r.COMMENT ? { comment: String(r.COMMENT) } : {}),
            ...(r.ROW_COUNT !== null && r.ROW_COUNT !== undefined ? { rowEstimate: Number(r.ROW_COUNT) } : {}),
            columns: [],
          };
          schema.tables.push(table);
        }
        table.columns.push({ name: String(r.COLUMN_NAME), type: String(r.DATA_TYPE), nullable: r.IS_NULLABLE === 'YES' });
      }
      // Streams are read like tables but are not in INFORMATION_SCHEMA.TABLES: without them a model on a
      // stream would be an unknown table. Their columns are not listed (none known: not checked).
      for (const st of await this.streams(signal)) {
        let schema = bySchema.get(st.schema);
        if (!schema) bySchema.set(st.schema, (schema = { name: st.schema, tables: [] }));
        if (!schema.tables.some((t) => t.name === st.name)) schema.tables.push({ name: st.name, kind: 'view', comment: 'stream', columns: [] });
      }
      return { schemas: [...bySchema.values()], fetchedAt: new Date().toISOString() };
    } catch (err) {
      const e = err instanceof WarehouseError ? err : this.classify(err);
      throw new WarehouseError(e.message, e.kind, { ...e.options, remediation: readGrants(this.creds) });
    }
  }

  private async streams(signal: AbortSignal): Promise<{ schema: string; name: string }[]> {
    try {
      const rows = await this.run('SHOW STREAMS IN DATABASE', signal);
      return rows.map((r) => ({ schema: String(r.schema_name ?? ''), name: String(r.name ?? '') })).filter((r) => r.schema && r.name);
    } catch (err) {
      // The emulator cannot compile SHOW STREAMS; Snowflake can, for the current database.
      if (notCompiledHere(err)) return [];
      throw err;
    }
  }

  async checkStateSchema(schema: string, signal: AbortSignal): Promise<void> {
    const name = snowflakeSchemaName(schema);
    const table = `"${name}"."RETL_CHECK_${Math.random().toString(36).slice(2, 10).toUpperCase()}"`;
    try {
      await this.run(`CREATE TABLE ${table} (ID INTEGER)`, signal);
      await this.run(`DROP TABLE ${table}`, signal);
    } catch (err) {
      const e = err instanceof WarehouseError ? err : this.classify(err);
      if (e.kind === 'cancelled') throw e;
      throw new WarehouseError(`Cannot create and drop a table in the state schema "${name}": ${e.message}`, 'stateSchema', {
        ...e.options,
        remediation: stateSchemaGrants(this.creds, name),
      });
    }
  }

  async explain(statement: string, signal: AbortSignal): Promise<void> {
    const prefix = 'EXPLAIN USING TEXT\n';
    try {
      await this.run(`${prefix}${statement}`, signal);
    } catch (err) {
      const raw = (err as WarehouseError).options?.cause ?? err;
      throw this.classify(raw, 1, statement);
    }
  }

  /**
   * Snowflake has no read-only transaction, and an external function sends its arguments to a remote
   * service: a text that calls one (by name, as SHOW EXTERNAL FUNCTIONS lists them) never runs.
   */
  private async refuseExternalCalls(conn: Connection, text: string, signal: AbortSignal): Promise<void> {
    const calls = snowflakeCalls(text);
    if (calls.length === 0) return;
    const system = calls.find((c) => c.name.toUpperCase().startsWith('SYSTEM$'));
    if (system) throw new WarehouseError(`${system.name}() is not allowed in a model: Snowflake's system functions act on the account.`, 'other', { position: system.offset });
    // Case-insensitive: with QUOTED_IDENTIFIERS_IGNORE_CASE a quoted "send_hook" is SEND_HOOK; refusing more is safe.
    const external = new Set([...(await this.externalFunctionNames(conn, signal))].map((n) => n.toUpperCase()));
    const hit = calls.find((c) => external.has(c.name.toUpperCase()));
    if (hit) {
      throw new WarehouseError(`${hit.name}() is an external function: it sends data out of Snowflake to a remote service. A model must only read.`, 'other', { position: hit.offset });
    }
  }

  private externals: { names: Set<string>; at: number } | undefined;

  private async externalFunctionNames(conn: Connection, signal: AbortSignal): Promise<Set<string>> {
    if (this.externals && Date.now() - this.externals.at < EXTERNAL_LIST_TTL_MS) return this.externals.names;
    let names: Set<string>;
    try {
      const { rows } = await this.execute(conn, 'SHOW EXTERNAL FUNCTIONS IN ACCOUNT', signal);
      names = new Set(rows.map((r) => String(r.name ?? r.NAME)));
    } catch (err) {
      const e = this.classify(err);
      // A warehouse that cannot compile the statement (the emulator) has no external function to call.
      if (!notCompiledHere(e)) throw new WarehouseError(`Cannot list the external functions a model must not call: ${e.message}`, e.kind, e.options);
      names = new Set();
    }
    this.externals = { names, at: Date.now() };
    return names;
  }

  /**
   * Executes a text holding a checked model with streamResult, resolving once the result is ready to
   * stream; stopped (and reported as timed out) after `timeoutMs`.
   */
  streamingStatement(conn: Connection, sqlText: string, o: { signal: AbortSignal; timeoutMs: number; prefixLines: number; statement: string }): Promise<Statement> {
    return new Promise((resolve, reject) => {
      let stmt: Statement | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        stmt?.cancel(() => undefined);
      }, o.timeoutMs);
      const stop = onAbort(o.signal, () => stmt?.cancel(() => undefined));
      stmt = conn.execute({
        sqlText,
        streamResult: true,
        rowMode: 'array',
        fetchAsString: ['Number', 'JSON'],
        // The driver hands a TIME over as text in this format; Snowflake's default drops the fraction.
        parameters: { TIME_OUTPUT_FORMAT: 'HH24:MI:SS.FF9' },
        complete: (err, s) => {
          clearTimeout(timer);
          stop();
          if (timedOut) reject(timedOutError(o.timeoutMs));
          else if (o.signal.aborted) reject(abortError());
          else if (err) reject(this.classify(err, o.prefixLines, o.statement));
          else resolve(s);
        },
      });
    });
  }

  /**
   * The whole result streams from the one statement Snowflake keeps (the driver fetches its chunks as
   * they are read, a few ahead), in batches whose size follows the width of the rows.
   */
  async readAll(statement: string, options: PreviewOptions, reader: ResultReader): Promise<void> {
    const { signal } = options;
    const conn = await this.connect(signal);
    await this.refuseExternalCalls(conn, statement, signal);
    const stmt = await this.streamingStatement(conn, statement, { signal, timeoutMs: options.timeoutMs, prefixLines: 0, statement });
    const columns = ((stmt.getColumns() ?? []) as unknown as SfColumn[]).map((c) => resultColumn(c.getName(), typeName(c)));
    await reader.columns(columns);
    if (stmt.getNumRows() === 0) return;
    const rows = stmt.streamRows() as NodeJS.ReadableStream & { destroy(err?: Error): void };
    const stop = onAbort(signal, () => rows.destroy(abortError()));
    const size = new FetchSize();
    try {
      let batch: TextRow[] = [];
      for await (const r of rows as AsyncIterable<Row>) {
        batch.push(r.map((v, i) => cellText(toCell(v, columns[i]?.type))));
        if (batch.length >= size.count) {
          await reader.rows(batch);
          size.after(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await reader.rows(batch);
    } catch (err) {
      if (signal.aborted) throw abortError();
      throw err instanceof WarehouseError ? err : this.classify(err);
    } finally {
      stop();
    }
  }

  async openPreview(statement: string, options: PreviewOptions): Promise<PreviewCursor> {
    const conn = await this.connect(options.signal);
    await this.refuseExternalCalls(conn, statement, options.signal);
    const cursor = new SnowflakePreviewCursor(this, conn, statement, options.timeoutMs);
    await cursor.start(options.signal);
    return cursor;
  }

  async close(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    if (!pending) return;
    // A sign-in still under way is not waited for (snowflake-sdk retries an unreachable host for minutes,
    // and the language server's shutdown waited with it): its session is closed whenever it opens.
    const closed = pending.then((conn) => new Promise<void>((resolve) => conn.destroy(() => resolve())), () => undefined);
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
  }
}

class SnowflakePreviewCursor implements PreviewCursor {
  columns: PreviewColumn[] = [];
  private readonly first = new FirstPage();
  private firstStatement: Statement | undefined;
  private full: Promise<Statement> | undefined;

  constructor(
    private readonly warehouse: SnowflakeWarehouse,
    private readonly conn: Connection,
    private readonly statement: string,
    private readonly timeoutMs: number,
  ) {}

  private execute(sqlText: string, signal: AbortSignal, prefixLines: number): Promise<Statement> {
    return this.warehouse.streamingStatement(this.conn, sqlText, { signal, timeoutMs: this.timeoutMs, prefixLines, statement: this.statement });
  }

  private stream(stmt: Statement, start: number, end: number): Promise<Cell[][]> {
    return new Promise((resolve, reject) => {
      const rows: Cell[][] = [];
      stmt
        .streamRows({ start, end })
        .on('data', (r: Row) => rows.push(r.map((v, i) => toCell(v, this.columns[i]?.type))))
        .on('error', (err: unknown) => reject(this.warehouse.classify(err)))
        .on('end', () => resolve(rows));
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const stmt = await this.execute(`${FIRST_PREFIX}${this.statement}\n) AS q LIMIT ${PAGE_SIZE + 1}`, signal, 1);
    this.columns = (stmt.getColumns() as unknown as SfColumn[]).map((c) => ({ name: c.getName(), type: typeName(c) }));
    const total = stmt.getNumRows();
    const rows = total > 0 ? await this.stream(stmt, 0, Math.min(total, PAGE_SIZE + 1) - 1) : [];
    this.first.hold(rows);
    this.firstStatement = stmt;
  }

  takeFirst(): RowsPage {
    return this.first.take();
  }

  async rows(start: number, count: number, signal: AbortSignal): Promise<RowsPage> {
    if (start < PAGE_SIZE && this.firstStatement) {
      // Streamed again from the first statement's result: the cursor keeps no copy of page 1.
      const total = Math.min(this.firstStatement.getNumRows(), PAGE_SIZE + 1);
      const end = Math.min(start + count, PAGE_SIZE, total);
      const rows = start < end ? await this.stream(this.firstStatement, start, end - 1) : [];
      return { rows, hasMore: start + count < total };
    }
    // Only now, when page 2 is asked for, does the whole statement run.
    this.full ??= this.execute(this.statement, signal, 0);
    this.full.catch(() => {
      this.full = undefined;
    });
    const stmt = await this.full;
    const total = stmt.getNumRows();
    if (start >= total) return { rows: [], hasMore: false };
    const rows = await this.stream(stmt, start, Math.min(total, start + count) - 1);
    return { rows, hasMore: start + count < total };
  }

  async close(): Promise<void> {
    // Results live in Snowflake's result cache; nothing is held open here.
  }
}

/** What snowflake-sdk gives for DATE and TIMESTAMP_*: a Date with Snowflake's own parts. */
interface SfDate extends Date {
  getEpochSeconds?(): number;
  getNanoSeconds?(): number;
  getScale?(): number;
  getTimezone?(): unknown;
}

/** A cell as the text an export writes: booleans as true / false, numbers with their digits. */
function cellText(c: Cell): string | null {
  if (c === null) return null;
  return typeof c === 'object' ? c.truncated : String(c);
}

/** How the text of a column reads as a cell again: booleans and floating-point numbers as JSON's own. */
function resultColumn(name: string, type: string): ResultColumn {
  if (type === 'BOOLEAN') return { name, type, cell: (t) => t === 'true' };
  if (type === 'REAL' || type === 'FLOAT' || type === 'DOUBLE') {
    return { name, type, cell: (t) => (Number.isFinite(Number(t)) ? Number(t) : t) };
  }
  return { name, type, cell: (t) => t };
}

function toCell(v: unknown, type?: string): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return type === 'TIME' ? v.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return isoOf(v as SfDate, type);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return JSON.stringify(v);
}

/**
 * ISO 8601 the way the PostgreSQL adapter writes it: DATE as the day; TIMESTAMP_NTZ as the wall clock with
 * no zone; TIMESTAMP_TZ with its own offset; TIMESTAMP_LTZ in UTC; fractions to the column's scale, trailing
 * zeros dropped. (A plain toISOString() gave every DATE a midnight in UTC and every offset as Z.)
 */
function isoOf(d: SfDate, type: string | undefined): string {
  const seconds = d.getEpochSeconds?.() ?? Math.floor(d.getTime() / 1000);
  const nanos = d.getNanoSeconds?.() ?? (d.getTime() % 1000) * 1_000_000;
  if (type === 'DATE') return new Date(seconds * 1000).toISOString().slice(0, 10);
  const zone = d.getTimezone?.();
  const offsetMinutes = type === 'TIMESTAMP_TZ' && typeof zone === 'number' ? zone : 0;
  const wall = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  const text = withFraction(wall, nanos, d.getScale?.() ?? 9);
  if (type === 'TIMESTAMP_NTZ') return text;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${text}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function withFraction(text: string, nanos: number, scale: number): string {
  const digits = Math.min(9, Math.max(0, scale));
  const fraction = String(nanos).padStart(9, '0').slice(0, digits).replace(/0+$/, '');
  return fraction ? `${text}.${fraction}` : text;
}

function typeName(c: SfColumn): string {
  const t = c.getType().toUpperCase();
  if (t === 'FIXED') return `NUMBER(${c.getPrecision() ?? 38},${c.getScale() ?? 0})`;
  if (t === 'TEXT') return 'VARCHAR';
  return t;
}

/** Unquoted names in Snowflake are upper case; the state schema is created as such. */
export function snowflakeSchemaName(schema: string): string {
  return schema.toUpperCase();
}

/**
 * A name in remediation SQL as Snowflake resolves what the user wrote in retl.yaml (and what the driver
 * sends): a plain identifier is upper-cased, anything else (a dash, a dot, an @) is kept as it is; both
 * quoted, so a name cannot end the statement or mean another object.
 */
export function quoteSnowflakeName(name: string): string {
  const resolved = /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toUpperCase() : name;
  return `"${resolved.replace(/"/g, '""')}"`;
}

function role(c: SnowflakeCredentials): string {
  return quoteSnowflakeName(c.role ?? 'RETL_ROLE');
}

function stateSchemaGrants(c: SnowflakeCredentials, schema: string): string {
  const db = c.database ? quoteSnowflakeName(c.database) : '<DATABASE>';
  const target = `${db}.${quoteSnowflakeName(schema)}`;
  return [`CREATE SCHEMA IF NOT EXISTS ${target};`, `GRANT ALL PRIVILEGES ON SCHEMA ${target} TO ROLE ${role(c)};`].join('\n');
}

function readGrants(c: SnowflakeCredentials): string {
  const db = c.database ? quoteSnowflakeName(c.database) : '<DATABASE>';
  const wh = c.warehouse ? quoteSnowflakeName(c.warehouse) : '<WAREHOUSE>';
  return [
    `GRANT USAGE ON WAREHOUSE ${wh} TO ROLE ${role(c)};`,
    `GRANT USAGE ON DATABASE ${db} TO ROLE ${role(c)};`,
    `GRANT USAGE ON ALL SCHEMAS IN DATABASE ${db} TO ROLE ${role(c)};`,
    `GRANT SELECT ON ALL TABLES IN DATABASE ${db} TO ROLE ${role(c)};`,
    `GRANT SELECT ON FUTURE TABLES IN DATABASE ${db} TO ROLE ${role(c)};`,
    `GRANT ROLE ${role(c)} TO USER ${quoteSnowflakeName(c.user)};`,
  ].join('\n');
}

/**
 * A compile error (001003) for a statement every Snowflake account knows (SHOW GRANTS, SHOW STREAMS, USE
 * SECONDARY ROLES, SHOW EXTERNAL FUNCTIONS): the emulator's answer, taken as "nothing of that kind here".
 */
function notCompiledHere(err: unknown): boolean {
  return (err as WarehouseError).options?.code === '001003';
}

interface SfError {
  code?: string | number;
  message?: string;
  sqlState?: string;
  data?: { sqlState?: string };
}

export function classifySnowflakeError(err: unknown, c: SnowflakeCredentials, sentPrefixLines = 0, statement?: string): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const e = (err ?? {}) as SfError;
  const code = String(e.code ?? '');
  const msg = e.message ?? String(err);
  const opts = (extra: { remediation?: string; position?: number } = {}) => ({ code, cause: err, ...extra });
  if (code === '000604' || /cancel/i.test(msg)) return new WarehouseError('Cancelled.', 'cancelled', opts());
  if (code === '390100' || /incorrect username or password/i.test(msg)) {
    return new WarehouseError(`Sign-in failed for "${c.user}": ${msg} Check the user and password.`, 'auth', opts());
  }
  if (code === '390144' || code === '394304' || /JWT/i.test(msg)) {
    return new WarehouseError(`Key-pair sign-in failed for "${c.user}": ${msg} Check the private key and that its public key is set on the user.`, 'auth', opts());
  }
  if (code === '390189' || /role .* does not exist|not authorized to use role|role.*not granted/i.test(msg)) {
    return new WarehouseError(`Role "${c.role ?? ''}" cannot be used: ${msg}`, 'role', opts({ remediation: `GRANT ROLE ${role(c)} TO USER ${c.user};` }));
  }
  if (code === '000606' || /warehouse/i.test(msg)) {
    return new WarehouseError(`Warehouse problem: ${msg}`, 'warehouse', opts({ remediation: `GRANT USAGE ON WAREHOUSE ${c.warehouse ?? '<WAREHOUSE>'} TO ROLE ${role(c)};` }));
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(msg) || code === 'ENOTFOUND') {
    return new WarehouseError(`Account "${c.account}" was not found (DNS lookup failed). Check the account identifier.`, 'dns', opts());
  }
  if (/ECONNREFUSED/.test(msg) || code === 'ECONNREFUSED') return new WarehouseError(`Connection refused: ${msg}`, 'refused', opts());
  if (/ETIMEDOUT|timed? ?out/i.test(msg)) return new WarehouseError(`No answer from Snowflake: ${msg}`, 'unreachable', opts());
  if (/database .* does not exist/i.test(msg)) return new WarehouseError(msg, 'database', opts());
  // "SQL compilation error:\nsyntax error line 2 at position 7 unexpected 'FROM'."
  const at = /line (\d+) at position (\d+)/.exec(msg);
  if (at && statement !== undefined) {
    const line = Number(at[1]) - sentPrefixLines;
    const column = Number(at[2]);
    const lines = statement.split('\n');
    if (line >= 1 && line <= lines.length) {
      const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column;
      return new WarehouseError(msg, 'other', opts({ position: offset }));
    }
  }
  return new WarehouseError(msg, 'other', opts());
}

