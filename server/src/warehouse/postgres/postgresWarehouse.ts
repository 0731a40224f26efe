// PostgreSQL through `pg`: a small pool per credentials; previews on a dedicated connection holding one
// REPEATABLE READ READ ONLY transaction, page 1 as a LIMIT query and later pages from a server-side cursor.
// Every model text goes through the model runner's rules (modelRunner.ts).
import { connect as netConnect } from 'node:net';
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import pg, { type FieldDef } from 'pg';
import type { PostgresCredentials } from '../../../../protocol/src/config';
import { PAGE_SIZE, type Cell, type PreviewColumn } from '../../../../protocol/src/preview';
import { pgCell } from '../../preview/cells';
import { abortError, FetchSize, FirstPage, missingSecretError, timedOutError, WarehouseError, type Catalog, type ConnectionCheck, type PreviewCursor, type PreviewOptions, type ResultReader, type RowsPage, type SqlSession, type TextRow, type Warehouse } from '../warehouse';
import { fetchSql, resultColumns } from './pgReadAll';
import {
  buildCatalog,
  CATALOG_SQL,
  COLUMN_TYPES_SQL,
  columnsFrom,
  probeTableName,
  quoteIdent,
  readGrantsRemediation,
  SCHEMAS_SQL,
  stateSchemaRemediation,
  UNREADABLE_SCHEMAS_SQL,
  type CatalogRow,
} from './pgSql';
import { classifyPgError } from './pgErrors';
import { onAbort, raceAbort } from '../abort';
import { beginModelSql, beginModelStatements, CURSOR_NAME, declareSql, DECLARE_PREFIX, limitSql, MODEL_PREFIX, offsetSql, positionInStatement, type ModelRunSettings } from './modelRunner';
import { roleRightsWarning } from './roleRights';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';

const CONNECT_TIMEOUT_MS = 10_000;
/** How long a forgotten preview may hold its transaction before PostgreSQL ends it. */
const IDLE_IN_TRANSACTION_MS = 15 * 60_000;

/** Every value as the text PostgreSQL sent; pgCell decides what becomes a number. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export class PostgresWarehouse implements Warehouse {
  readonly type = 'postgres' as const;
  private pool: pg.Pool | undefined;
  /** For ssl: prefer, whether the server refused TLS (then plain connections are used). */
  private plainAfterPrefer = false;

  constructor(
    private readonly creds: PostgresCredentials,
    private readonly password: string | undefined,
  ) {}

  private sslOption(): pg.ClientConfig['ssl'] {
    switch (this.creds.ssl ?? 'prefer') {
      case 'disable':
        return false;
      case 'prefer':
        return this.plainAfterPrefer ? false : { rejectUnauthorized: false };
      case 'require':
        return { rejectUnauthorized: false };
      case 'verify-full':
        return { rejectUnauthorized: true, servername: this.creds.host };
    }
  }

  clientConfig(): pg.ClientConfig {
    return {
      host: this.creds.host,
      port: this.creds.port ?? 5432,
      database: this.creds.database,
      user: this.creds.user,
      // Without a secret, pg is only asked for one when the server wants a password (trust auth needs
      // none); then the user learns where to put it instead of pg failing inside its protocol handler.
      password: this.password ?? this.refusePassword(),
      ssl: this.sslOption(),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'retl-models',
    };
  }

  /**
   * pg calls this as a method of the connecting client. pg leaves that client's socket open when the
   * password callback fails (the server then waits for it until authentication_timeout), so the
   * socket is closed here once the failure has been reported.
   */
  private refusePassword(): () => Promise<string> {
    const error = () => missingSecretError(this.creds.user, this.creds.passwordEnv);
    return function (this: unknown) {
      const stream = (this as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection?.stream;
      setImmediate(() => stream?.destroy());
      return Promise.reject(error());
    };
  }

  private getPool(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({ ...this.clientConfig(), max: 4, idleTimeoutMillis: 30_000 });
      // An idle client that the server drops must not crash the engine.
      this.pool.on('error', () => undefined);
    }
    return this.pool;
  }

  private async connect(signal: AbortSignal): Promise<pg.PoolClient> {
    if (signal.aborted) throw abortError();
    try {
      return await raceAbort(this.getPool().connect(), signal, (late) => late.release());
    } catch (err) {
      if (err instanceof WarehouseError) throw err;
      if ((this.creds.ssl ?? 'prefer') === 'prefer' && !this.plainAfterPrefer && /does not support SSL/i.test((err as Error).message)) {
        this.plainAfterPrefer = true;
        await this.resetPool();
        return this.connect(signal);
      }
      throw this.classify(err);
    }
  }

  private classify(err: unknown, offsetInSent?: number): WarehouseError {
    return classifyPgError(err, this.creds, this.password !== undefined, offsetInSent);
  }

  /** Runs `fn` on a pooled client; a cancelled signal cancels the running statement on the server. */
  private async withClient<T>(signal: AbortSignal, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(signal);
    // A cancel sent for this client may arrive after its statement ended (the login of the side
    // connection takes a while): a client that was cancelled is not reused, or the late cancel would
    // stop the next request's statement on it.
    let cancelSent = false;
    const stop = onAbort(signal, () => {
      cancelSent = true;
      void this.cancelBackend(client);
    });
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (err) {
      broken = err as Error;
      if (signal.aborted) throw abortError();
      throw err instanceof WarehouseError ? err : this.classify(err);
    } finally {
      stop();
      client.release(broken ?? (cancelSent ? new Error('cancelled') : undefined));
    }
  }

  /** Asks the server to cancel what a connection is running, over a connection of its own. */
  /**
   * Stops what a connection runs. On a plain connection by PostgreSQL's CancelRequest: 16 bytes on a
   * socket of its own, no login (a pg_cancel_backend over a fresh password-authenticated connection cost
   * ~18 ms of CPU on both sides, landing on whatever ran next). The key would travel in the clear, so an
   * encrypted connection is cancelled over a connection of its own with TLS (cancelByLogin); so is any
   * whose CancelRequest went unanswered.
   */
  async cancelBackend(client: pg.ClientBase): Promise<void> {
    const c = client as unknown as { processID?: number; secretKey?: number; host?: string; port?: number; connection?: { stream?: object } };
    const encrypted = c.connection?.stream instanceof TLSSocket;
    if (!encrypted && c.processID && c.secretKey !== undefined && c.host && c.port && (await cancelRequest(c.host, c.port, c.processID, c.secretKey))) return;
    await this.cancelByLogin(client);
  }

  /** pg_cancel_backend over a connection of its own (with the credentials' TLS). */
  async cancelByLogin(client: pg.ClientBase): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    const side = new pg.Client(this.clientConfig());
    side.on('error', () => undefined);
    try {
      await side.connect();
      await side.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement may have ended already; nothing to undo.
    } finally {
      await side.end().catch(() => undefined);
    }
  }

  withSqlSession<T>(signal: AbortSignal, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    // The caller's own errors (a refused mapping, a destination's) pass through as they are; only the
    // server's and the connection's are classified.
    let own: { error: unknown } | undefined;
    return this.withClient(signal, async (c) => {
      try {
        return await this.thenDiscard(c, () => fn({
          query: async <R>(text: string, params?: unknown[]) => (await c.query(text, params)).rows as R[],
          copyFrom: async (sql: string, data: string) => {
            const stream = c.query(copyFromStdin(sql));
            await pipeline(Readable.from([data]), stream);
            return stream.rowCount;
          },
          copyTo: async (sql: string) => {
            const chunks: Buffer[] = [];
            for await (const chunk of c.query(copyToStdout(sql))) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          readModel: async (text: string, settings: ModelRunSettings) => {
            await c.query(beginModelSql(settings));
            try {
              // queryMode 'extended': one Parse message, which refuses a second statement.
              const r = await c.query({ text, queryMode: 'extended' } as pg.QueryConfig);
              await c.query('COMMIT');
              return {
                columns: r.fields.map((f) => f.name),
                types: r.fields.map((f) => ({ oid: f.dataTypeID, typmod: f.dataTypeModifier })),
                ...(r.rowCount !== null ? { rowCount: r.rowCount } : {}),
              };
            } catch (err) {
              await c.query('ROLLBACK').catch(() => undefined);
              throw err;
            }
          },
        }));
      } catch (err) {
        if (!(err instanceof pg.DatabaseError) && typeof (err as { code?: unknown }).code !== 'string') own = { error: err };
        throw err;
      }
    }).catch((err: unknown) => {
      throw own ? own.error : err;
    });
  }

  async readAll(statement: string, options: PreviewOptions, reader: ResultReader): Promise<void> {
    await this.withClient(options.signal, async (c) => {
      const query = async (text: string, prefix: string) => {
        try {
          return await c.query({ text, rowMode: 'array', types: RAW_TEXT, queryMode: 'extended' } as pg.QueryArrayConfig);
        } catch (err) {
          const e = this.classifyIn(err, prefix);
          throw e.kind === 'timeout' ? timedOutError(options.timeoutMs) : e;
        }
      };
      await this.thenDiscard(c, async () => {
        try {
          await c.query(beginModelSql({ timeoutMs: options.timeoutMs, idleMs: IDLE_IN_TRANSACTION_MS }));
        } catch (err) {
          throw this.classifyIn(err, '');
        }
        await query(declareSql(statement), DECLARE_PREFIX);
        const size = new FetchSize();
        const fetch = (count: number) => {
          const pending = query(fetchSql(count), '').then((r) => ({ r, count }));
          pending.catch(() => undefined); // awaited below; a batch still in flight when writing fails is dropped with the connection
          return pending;
        };
        // When writing fails (a closed pipe, a full disk), the batch being fetched is stopped on the server
        // instead of waited for: the ROLLBACK after it would wait up to the statement timeout.
        const told = async (hand: () => Promise<void>) => {
          try {
            await hand();
          } catch (err) {
            await this.cancelBackend(c);
            throw err;
          }
        };
        let next = fetch(size.count);
        let columnsTold = false;
        for (;;) {
          const { r, count } = await next;
          if (options.signal.aborted) throw abortError();
          if (!columnsTold) {
            const columns = resultColumns(r.fields, await this.typeNames(c, r.fields));
            await told(() => reader.columns(columns));
            columnsTold = true;
          }
          const rows = r.rows as TextRow[];
          const last = rows.length < count;
          // The next batch is asked for before this one is written: the server reads while we write,
          // and at most two batches are held.
          if (!last) next = fetch(size.after(rows));
          if (rows.length > 0) await told(() => reader.rows(rows));
          if (last) return;
        }
      });
    });
  }

  /**
   * A pooled connection goes back as it came: whatever a session (or a function a model called) changed —
   * settings, role, search_path, temporary tables holding payloads, session locks — is discarded.
   */
  private async thenDiscard<T>(c: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await c.query('ROLLBACK').catch(() => undefined);
      await c.query('DISCARD ALL').catch(() => undefined);
    }
  }

  async checkConnection(signal: AbortSignal): Promise<ConnectionCheck> {
    return this.withClient(signal, async (c) => {
      await c.query('SELECT 1');
      const warning = await roleRightsWarning(c, this.creds.user);
      return warning ? { warning } : {};
    });
  }

  async listCatalog(signal: AbortSignal): Promise<Catalog> {
    return this.withClient(signal, async (c) => {
      try {
        const schemas = await c.query<{ schema: string }>(SCHEMAS_SQL);
        const rows = await c.query<CatalogRow>(CATALOG_SQL);
        const unreadable = await c.query<{ schema: string }>(UNREADABLE_SCHEMAS_SQL);
        const catalog = buildCatalog(schemas.rows.map((r) => r.schema), rows.rows);
        if (catalog.schemas.every((s) => s.tables.length === 0) && unreadable.rows.length > 0) {
          const names = unreadable.rows.map((r) => r.schema);
          throw new WarehouseError(
            `User "${this.creds.user}" can read no table: it lacks USAGE or SELECT on ${names.map((n) => `"${n}"`).join(', ')}.`,
            'permission',
            { remediation: readGrantsRemediation(names, this.creds.user) },
          );
        }
        return catalog;
      } catch (err) {
        if (err instanceof WarehouseError) throw err;
        const e = this.classify(err);
        throw new WarehouseError(e.message, e.kind, { ...e.options, remediation: readGrantsRemediation(['public'], this.creds.user) });
      }
    });
  }

  async checkStateSchema(schema: string, signal: AbortSignal): Promise<void> {
    const remediation = stateSchemaRemediation(schema, this.creds.user);
    await this.withClient(signal, async (c) => {
      const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) {
        throw new WarehouseError(`The state schema "${schema}" does not exist in database "${this.creds.database}".`, 'stateSchema', { remediation });
      }
      // Create and drop a table inside a transaction that is rolled back: proves the rights, leaves nothing.
      const table = `${quoteIdent(schema)}.${quoteIdent(probeTableName())}`;
      try {
        await c.query('BEGIN');
        await c.query(`CREATE TABLE ${table} (id integer)`);
        await c.query(`DROP TABLE ${table}`);
      } catch (err) {
        const e = this.classify(err);
        throw new WarehouseError(
          `User "${this.creds.user}" cannot create tables in the state schema "${schema}": ${e.message}`,
          e.kind === 'permission' ? 'stateSchema' : e.kind,
          { ...e.options, remediation },
        );
      } finally {
        await c.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  async openPreview(statement: string, options: PreviewOptions): Promise<PreviewCursor> {
    const client = await this.connect(options.signal);
    const cursor = new PgPreviewCursor(this, client, statement);
    try {
      await cursor.start(options);
      return cursor;
    } catch (err) {
      await cursor.close(err as Error);
      if (options.signal.aborted) throw abortError();
      throw err instanceof WarehouseError ? err : this.classify(err);
    }
  }

  /** Type names by `oid:typmod`: they do not change while a connection pool lives, so each is asked once. */
  private readonly typeNameCache = new Map<string, string>();

  async typeNames(client: pg.ClientBase, fields: { dataTypeID: number; dataTypeModifier: number }[]): Promise<string[]> {
    const key = (f: { dataTypeID: number; dataTypeModifier: number }) => `${f.dataTypeID}:${f.dataTypeModifier}`;
    const missing = fields.filter((f) => !this.typeNameCache.has(key(f)));
    if (missing.length > 0) {
      const types = await client.query<{ type: string }>(COLUMN_TYPES_SQL, [missing.map((f) => f.dataTypeID), missing.map((f) => f.dataTypeModifier)]);
      missing.forEach((f, i) => this.typeNameCache.set(key(f), types.rows[i]?.type ?? 'unknown'));
    }
    return fields.map((f) => this.typeNameCache.get(key(f))!);
  }

  /** Maps a failure of text sent with `prefix` before the statement. */
  classifyIn(err: unknown, prefix: string): WarehouseError {
    return this.classify(err, positionInStatement((err as { position?: string }).position, prefix.length));
  }

  private async resetPool(): Promise<void> {
    // A user-defined type dropped and created again gets a new oid; a new pool asks afresh.
    this.typeNameCache.clear();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.resetPool();
  }
}

class PgPreviewCursor implements PreviewCursor {
  columns: PreviewColumn[] = [];
  private readonly first = new FirstPage();
  /** Whether rows follow page 1. */
  private moreThanOnePage = false;
  private oids: number[] = [];
  /** Index of the next row the server-side cursor returns. */
  private position = 0;
  /** One row read ahead to learn whether more follow: [its index, the row]. */
  private lookahead: [number, Cell[]] | undefined;
  private declared: Promise<void> | undefined;
  private declaring = false;
  private closed = false;
  private timeoutMs = 0;

  constructor(
    private readonly warehouse: PostgresWarehouse,
    private readonly client: pg.PoolClient,
    private readonly statement: string,
  ) {}

  async start(options: PreviewOptions): Promise<void> {
    this.timeoutMs = options.timeoutMs;
    const stop = onAbort(options.signal, () => void this.warehouse.cancelBackend(this.client));
    try {
      // BEGIN, its settings and page 1 in one round trip: one extended-protocol batch with a single Sync
      // (FirstPageBatch says why that order is safe). Two pipelined queries, each with its own Sync, were
      // refused: had the first failed before BEGIN ran (a stray cancel, say), the server would have run the
      // page already sent in autocommit, not read-only, with the session's own string rules.
      const settings: ModelRunSettings = { timeoutMs: options.timeoutMs, idleMs: IDLE_IN_TRANSACTION_MS, repeatableRead: true };
      const batch = new FirstPageBatch(beginModelStatements(settings), limitSql(this.statement, PAGE_SIZE + 1));
      let result: { fields: FieldDef[]; rows: unknown[][] };
      try {
        result = await batch.run(this.client);
      } catch (err) {
        if (!batch.failedInModel) throw this.warehouse.classifyIn(err, '');
        const e = this.warehouse.classifyIn(err, MODEL_PREFIX);
        throw e.kind === 'timeout' ? timedOutError(this.timeoutMs) : e;
      }
      this.oids = result.fields.map((f) => f.dataTypeID);
      this.columns = columnsFrom(result.fields, await this.warehouse.typeNames(this.client, result.fields));
      this.moreThanOnePage = this.first.hold(this.cells(result.rows));
    } finally {
      stop();
    }
    if (this.moreThanOnePage) {
      // Open the cursor now, in the background, so page 2 is ready when asked for. The first MOVE pays
      // for the whole plan (a sort, say) while the user reads page 1.
      this.declaring = true;
      this.declared = (async () => {
        try {
          await this.statementQuery(declareSql(this.statement), DECLARE_PREFIX);
          await this.client.query(`MOVE ${PAGE_SIZE} IN ${CURSOR_NAME}`);
          this.position = PAGE_SIZE;
        } finally {
          this.declaring = false;
        }
      })();
      this.declared.catch(() => undefined);
    }
  }

  /** A text holding the model: one statement of the extended protocol, values as the server's text. */
  private async statementQuery(text: string, prefix: string): Promise<pg.QueryArrayResult<unknown[]>> {
    try {
      return await this.client.query({ text, rowMode: 'array', types: RAW_TEXT, queryMode: 'extended' } as pg.QueryArrayConfig);
    } catch (err) {
      const e = this.warehouse.classifyIn(err, prefix);
      throw e.kind === 'timeout' ? timedOutError(this.timeoutMs) : e;
    }
  }

  private cells(rows: unknown[][]): Cell[][] {
    return rows.map((row) => row.map((v, i) => pgCell(this.oids[i] ?? 25, v as string | null)));
  }

  takeFirst(): RowsPage {
    return this.first.take();
  }

  async rows(start: number, count: number, signal: AbortSignal): Promise<RowsPage> {
    if (this.closed) throw new WarehouseError('This preview was closed.', 'other');
    if (start >= PAGE_SIZE && !this.moreThanOnePage) return { rows: [], hasMore: false };
    const stop = onAbort(signal, () => void this.warehouse.cancelBackend(this.client));
    try {
      await this.declared;
      // The row read ahead is the cursor's too: the page after the last one fetched starts with it.
      const fromLookahead = this.lookahead?.[0] === start;
      if (start < PAGE_SIZE || (start < this.position && !fromLookahead)) {
        // The cursor cannot go back (and page 1 was not read through it): the same snapshot answers
        // with OFFSET instead.
        const r = await this.statementQuery(offsetSql(this.statement, start, count + 1), MODEL_PREFIX);
        const rows = this.cells(r.rows);
        return { rows: rows.slice(0, count), hasMore: rows.length > count };
      }
      const out: Cell[][] = [];
      if (fromLookahead) out.push(this.lookahead![1]);
      this.lookahead = undefined;
      const from = start + out.length;
      if (from > this.position) await this.client.query(`MOVE ${from - this.position} IN ${CURSOR_NAME}`);
      const want = count + 1 - out.length;
      const r = await this.statementQuery(`FETCH ${want} FROM ${CURSOR_NAME}`, '');
      this.position = from + r.rows.length;
      out.push(...this.cells(r.rows));
      if (out.length > count) this.lookahead = [start + count, out.pop()!];
      return { rows: out, hasMore: this.lookahead !== undefined };
    } catch (err) {
      if (signal.aborted) throw abortError();
      throw err;
    } finally {
      stop();
    }
  }

  async close(error?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A panel closed while the cursor still sorts a large result must not wait for that sort. A cheap
    // cursor is declared within a millisecond or two: letting it finish costs the server less than any
    // cancel (even a CancelRequest forks a process on PostgreSQL 15), so it gets a moment first.
    if (this.declaring && !(await settlesWithin(this.declared!, CANCEL_GRACE_MS))) await this.warehouse.cancelBackend(this.client);
    await this.declared?.catch(() => undefined);
    try {
      await this.client.query('ROLLBACK');
      this.client.release(error);
    } catch (err) {
      this.client.release(err as Error); // a broken connection is dropped, not reused
    }
  }
}

/** How long close() lets a cursor still being declared finish by itself before cancelling it. */
const CANCEL_GRACE_MS = 20;

/** Whether `work` ends (either way) within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * PostgreSQL's CancelRequest (protocol 3.0, before any startup): length 16, code 80877102, the backend's
 * process id and secret key. The server answers nothing and closes the socket once it has signalled the
 * backend, so the close says it was delivered. False when it could not be (refused, or no close in 2 s).
 */
function cancelRequest(host: string, port: number, processID: number, secretKey: number): Promise<boolean> {
  return new Promise((resolve) => {
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(processID, 8);
    packet.writeInt32BE(secretKey, 12);
    const socket = host.startsWith('/') ? netConnect(`${host}/.s.PGSQL.${port}`) : netConnect(port, host);
    let sent = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, 2_000);
    socket.on('connect', () => {
      socket.write(packet);
      sent = true;
    });
    socket.on('error', () => undefined); // 'close' follows with hadError
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      resolve(sent && !hadError && !timedOut);
    });
  });
}

/**
 * Page 1 of a preview in one round trip: Parse/Bind/Execute of BEGIN and of each SET LOCAL, then
 * Parse/Bind/Describe/Execute of the model, then one Sync; written the way pg-cursor writes its messages
 * (pg's Submittable: `submit` gets the connection, pg hands it the answers until ReadyForQuery).
 *
 * Why this keeps the model runner's rules (modelRunner.ts):
 *   - The server handles a batch's messages one after another: it lexes and parses a Parse message's
 *     text only when it reaches that message, after it executed every earlier Execute. So BEGIN ... READ
 *     ONLY has started the transaction and standard_conforming_strings is on before the model's text is
 *     lexed. (A simple-query message is lexed whole before any of it runs; that is why the settings never
 *     share one with the model.)
 *   - After an error in any message the server skips every message up to the Sync. If BEGIN or a SET
 *     fails — a stray cancel, a setting refused — the model's Parse, Bind and Execute are skipped, never
 *     run in autocommit. Pipelined queries each end in a Sync of their own, which is what made them unsafe.
 *   - The model is one Parse message, which refuses a second statement.
 *   - The messages before the Sync form one implicit transaction block that BEGIN turns into the explicit
 *     one (BEGIN is its first statement, so the isolation level applies); it stays open after the Sync,
 *     for the cursor of pages 2+.
 */
export class FirstPageBatch implements pg.Submittable {
  private fields: FieldDef[] = [];
  private readonly rows: unknown[][] = [];
  private completed = 0;
  private failed = false;
  /** Whether the error came from the model's statement (after BEGIN and every setting had run). */
  failedInModel = false;
  private settle: ((err: Error | undefined) => void) | undefined;

  constructor(
    private readonly preamble: string[],
    private readonly text: string,
  ) {}

  run(client: pg.ClientBase): Promise<{ fields: FieldDef[]; rows: unknown[][] }> {
    return new Promise((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve({ fields: this.fields, rows: this.rows }));
      client.query(this);
    });
  }

  submit(connection: pg.Connection): void {
    const con = connection as unknown as ProtocolWriter;
    // One write: the messages go out in one packet (pg's own Query corks the same way).
    con.stream.cork?.();
    try {
      for (const text of this.preamble) {
        con.parse({ text });
        con.bind({});
        con.execute({});
      }
      con.parse({ text: this.text });
      con.bind({});
      con.describe({ type: 'P', name: '' });
      con.execute({});
      con.sync();
    } finally {
      con.stream.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: FieldDef[] }): void {
    this.fields = msg.fields;
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    // Only the model's rows (BEGIN and SET return none); text format: the server's text, or null.
    if (this.completed === this.preamble.length) this.rows.push(msg.fields);
  }

  handleCommandComplete(): void {
    this.completed++;
  }

  handleEmptyQuery(): void {
    // Not reached: every statement of the batch has text (the model passed the statement check).
  }

  handlePortalSuspended(): void {
    // Not reached: Execute asks for all rows (LIMIT bounds them).
  }

  handleCopyInResponse(connection: pg.Connection): void {
    (connection as unknown as ProtocolWriter).sendCopyFail('not a COPY');
  }

  handleCopyData(): void {
    // Not reached: a COPY never passes the statement check.
  }

  handleError(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.failedInModel = this.completed >= this.preamble.length;
    this.settle?.(err);
  }

  handleReadyForQuery(): void {
    if (this.failed) return;
    if (this.completed !== this.preamble.length + 1) return this.handleError(new Error(`The server completed ${this.completed} of ${this.preamble.length + 1} statements.`));
    this.settle?.(undefined);
  }
}

/** The calls of pg's Connection a Submittable writes with (the same pg-cursor makes). */
interface ProtocolWriter {
  stream: { cork?(): void; uncork?(): void };
  parse(query: { text: string }): void;
  bind(config: { values?: unknown[] }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(config: { rows?: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}
