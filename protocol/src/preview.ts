// Preview of a model's query: pages of 50 rows from one warehouse snapshot.

export const PAGE_SIZE = 50;

export interface PreviewColumn {
  name: string;
  /** The warehouse's own type name, e.g. "numeric(12,2)", "timestamp with time zone", "NUMBER(38,10)". */
  type: string;
}

/** A value cut for transport; the whole value is fetched on demand. */
export interface TruncatedValue {
  truncated: string;
  /** Length of the whole value in characters. */
  size: number;
}

/**
 * One cell. NULL is null, never ""; exact numbers (bigint, numeric, Snowflake NUMBER) are strings so
 * no digit is lost; dates and times are ISO 8601 strings; JSON stays as its text.
 */
export type Cell = null | boolean | number | string | TruncatedValue;

export function isTruncated(c: Cell): c is TruncatedValue {
  return typeof c === 'object' && c !== null && 'truncated' in c;
}

export interface KeyIssues {
  /** The primary key column, when the model names one. */
  column?: string;
  /** True when the model names a primary key that is not among the result's columns. */
  missing: boolean;
  /** Key values seen more than once among all rows fetched so far (as text). */
  duplicates: string[];
  /** Rows on this page (0-based within the page) whose key is NULL or a duplicate. */
  flaggedRows: number[];
}

export interface PreviewPage {
  sessionId: string;
  page: number;
  pageSize: number;
  columns: PreviewColumn[];
  rows: Cell[][];
  hasMore: boolean;
  /** Rows fetched so far in this session (the highest row number seen). */
  rowsSoFar: number;
  keys: KeyIssues;
  ms: number;
}

/** Where in the model's SQL a warehouse error points, 1-based. */
export interface SqlPosition {
  line: number;
  column: number;
}

export type PreviewErrorKind = 'refused' | 'syntax' | 'warehouse' | 'cancelled' | 'timeout' | 'connection' | 'expired';

export interface PreviewError {
  kind: PreviewErrorKind;
  message: string;
  position?: SqlPosition;
  /** The warehouse's error code (SQLSTATE or Snowflake code), when it gave one. */
  code?: string;
}

export type PreviewResult = { ok: true; page: PreviewPage } | { ok: false; error: PreviewError };
