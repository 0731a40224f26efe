// What the engine needs from a warehouse, whatever its kind. Implementations: Postgres (pg), Snowflake
// (snowflake-sdk) and the embedded demo warehouse (PGlite).
import { PAGE_SIZE, type Cell, type PreviewColumn } from '../../../protocol/src/preview';
import type { FailureKind } from '../../../protocol/src/verify';
import type { ModelRunSettings } from './postgres/modelRunner';

export interface CatalogColumn {
  name: string;
  type: string;
  nullable: boolean;
}

export interface CatalogTable {
  name: string;
  kind: 'table' | 'view';
  comment?: string;
  rowEstimate?: number;
  columns: CatalogColumn[];
}

export interface CatalogSchema {
  name: string;
  tables: CatalogTable[];
}

export interface Catalog {
  schemas: CatalogSchema[];
  fetchedAt: string;
}

/** A failure with what kind it is and, where one helps, the SQL that fixes it. */
export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly options: { code?: string; remediation?: string; position?: number; cause?: unknown } = {},
  ) {
    super(message);
  }
}

export interface RowsPage {
  rows: Cell[][];
  hasMore: boolean;
}

/**
 * One preview: page 1 from `SELECT * FROM (<statement>) AS q LIMIT 51`, later pages from a cursor in the
 * same snapshot. Calls are made one at a time by the session that owns it.
 */
export interface PreviewCursor {
  readonly columns: PreviewColumn[];
  /**
   * The first page, already fetched when the cursor is returned; handed over once: the cursor keeps no
   * copy (its values may be large), and `rows(0, …)` reads them again from the warehouse.
   */
  takeFirst(): RowsPage;
  /** Rows `[start, start + count)`; `hasMore` says whether any row follows. */
  rows(start: number, count: number, signal: AbortSignal): Promise<RowsPage>;
  close(): Promise<void>;
}

/**
 * Page 1 of a cursor, from the PAGE_SIZE + 1 rows it read (one ahead says whether more follow), held until
 * `takeFirst` hands it over: once, so no copy of possibly large values stays with the cursor.
 */
export class FirstPage {
  private page: RowsPage | undefined;

  /** Keeps page 1 of `rows`; returns whether rows follow it. */
  hold(rows: Cell[][]): boolean {
    this.page = { rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE };
    return this.page.hasMore;
  }

  take(): RowsPage {
    const page = this.page ?? { rows: [], hasMore: false };
    this.page = undefined;
    return page;
  }
}

/** A result column's PostgreSQL type: its pg_type oid and type modifier (-1 when none or not said). */
export interface ColumnType {
  oid: number;
  typmod: number;
}

export interface ModelRead {
  columns: string[];
  types?: ColumnType[];
  /** Rows the statement wrote (an INSERT ... SELECT of a model), where the warehouse says it. */
  rowCount?: number;
}

export interface SqlSession {
  /** The engine's own SQL (never a model's text). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * The model runner for a text that embeds a checked model: one statement through the extended
   * protocol, in a READ ONLY transaction of its own with the settings the check assumes (modelRunner.ts).
   * Writes only temporary tables. Returns the names of the columns it produced and, where the warehouse
   * says them (PostgreSQL, the demo warehouse), their types.
   */
  readModel(text: string, settings: ModelRunSettings): Promise<ModelRead>;
  /**
   * One statement of the engine's own whose rows are read in ranges, where a statement costs more than
   * reading on (Snowflake: the result stays with the warehouse and ranges stream from it).
   */
  openResult?<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SessionResult<R>>;
  /** `COPY ... FROM STDIN` of the engine's own with `data` as its input (PostgreSQL); the rows copied. */
  copyFrom?(sql: string, data: string): Promise<number>;
  /** `COPY (...) TO STDOUT` of the engine's own: everything it wrote (PostgreSQL). */
  copyTo?(sql: string): Promise<string>;
}

export interface SessionResult<R> {
  readonly total: number;
  /** Rows `[start, end)` of the result, in its order. */
  rows(start: number, end: number): Promise<R[]>;
}

/** What "Verifying connection" found besides success: a role that can act outside read-only. */
export interface ConnectionCheck {
  warning?: { message: string; remediation: string };
}

export interface PreviewOptions {
  /** Per-statement limit in the warehouse. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** A column of a whole-result read: its name, the warehouse's type name, and how its text reads as a cell. */
export interface ResultColumn extends PreviewColumn {
  /** The value as a preview cell (JSON Lines): exact numbers stay text, booleans and small numbers become JSON's. */
  cell(text: string): Cell;
}

/** Values as the warehouse writes them as text (PostgreSQL: what COPY writes); null is NULL. */
export type TextRow = (string | null)[];

/** Where a whole-result read hands its columns and then its rows, batch by batch. */
export interface ResultReader {
  columns(columns: ResultColumn[]): Promise<void>;
  /** Awaited before the next batch is read: a slow writer slows the read, and memory stays flat. */
  rows(batch: TextRow[]): Promise<void>;
}

export interface Warehouse {
  readonly type: 'postgres' | 'snowflake' | 'demo';
  /** Signs in; warns about a role that could let a model act beyond reading (`stateSchema` is the role's to write). */
  checkConnection(signal: AbortSignal, stateSchema: string): Promise<ConnectionCheck | void>;
  listCatalog(signal: AbortSignal): Promise<Catalog>;
  checkStateSchema(schema: string, signal: AbortSignal): Promise<void>;
  /** `statement` passed checkReadOnlyStatement; errors carry positions within `statement`. */
  openPreview(statement: string, options: PreviewOptions): Promise<PreviewCursor>;
  /**
   * Reads every row of `statement` (checked like a preview's) from one read-only cursor, in batches
   * bounded in bytes, each handed to `reader` and awaited before the next is fetched. `timeoutMs` bounds
   * each statement (each fetch), not the whole read.
   */
  readAll(statement: string, options: PreviewOptions, reader: ResultReader): Promise<void>;
  /**
   * Asks the warehouse to compile `statement` without running it; throws a WarehouseError (with the
   * position within `statement`) when it does not compile. Used where the local parser is unsure.
   */
  explain?(statement: string, signal: AbortSignal): Promise<void>;
  /**
   * One connection for the sync engine, statements run one after another (PostgreSQL SQL). Only the
   * warehouses that sync can run offer it.
   */
  withSqlSession?<T>(signal: AbortSignal, fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where a missing password should go, said the same way for every warehouse. */
export function missingSecretError(user: string, passwordEnv: string | undefined): WarehouseError {
  return new WarehouseError(
    `No password for "${user}": ${passwordEnv ? `environment variable ${passwordEnv} is empty or unset` : 'enter it with "Edit Credentials" (VS Code keeps it in SecretStorage), or name an environment variable in passwordEnv'}.`,
    'secretMissing',
  );
}

/** A query stopped by the preview timeout, named the same way for every warehouse. */
export function timedOutError(ms: number): WarehouseError {
  return new WarehouseError(`The query timed out after ${formatSeconds(ms)} (the preview timeout) and was stopped.`, 'timeout');
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function abortError(): WarehouseError {
  return new WarehouseError('Cancelled.', 'cancelled');
}

/** SQLSTATE of a unique index that meets a key it holds already. */
export const UNIQUE_VIOLATION = '23505';

/** The SQLSTATE of a PostgreSQL error, raw from pg or as a WarehouseError (the demo warehouse's); '' if none. */
export function sqlState(err: unknown): string {
  const e = err as { code?: string; options?: { code?: string } };
  return (err instanceof WarehouseError ? e.options?.code : e.code) ?? '';
}

/**
 * Rows per fetch of a whole-result read. A fixed count would hold 1,000 rows of 10 MB values at once, so
 * the count follows the width of the rows seen: about BATCH_CHARS of text per batch, between 1 and 5,000.
 */
export class FetchSize {
  static readonly BATCH_CHARS = 1024 * 1024;
  // The first batch is a preview page: its rows may be 10 MB each, and nothing is known of them yet.
  count = 50;

  /** Learns from a batch just read (TextRow values as text) and returns the next count. */
  after(batch: readonly (readonly (string | null)[])[]): number {
    if (batch.length === 0) return this.count;
    let chars = 0;
    for (const row of batch) for (const v of row) chars += 8 + (v?.length ?? 0);
    const perRow = Math.max(1, chars / batch.length);
    this.count = Math.max(1, Math.min(1_000, Math.floor(FetchSize.BATCH_CHARS / perRow)));
    return this.count;
  }
}
