// Preview sessions: the gate (one read-only statement), the page cache (Previous is instant), key checks
// across fetched rows, errors mapped back to the model's lines, and release of forgotten sessions.
import { randomUUID } from 'node:crypto';
import { isTruncated, PAGE_SIZE, type Cell, type KeyIssues, type PreviewError, type PreviewResult, type SqlPosition } from '../../../protocol/src/preview';
import { checkReadOnlyStatement, type Dialect } from '../sql/statementCheck';
import { positionAt } from '../sql/sqlLexer';
import { WarehouseError, type PreviewCursor, type Warehouse } from '../warehouse/warehouse';
import { cellBytes, KEPT_CELL_CHARS, keyText, truncate } from './cells';
import { hashKey, KeySet, NULL_KEY, type KeyHash } from './keySet';

export interface PreviewSettings {
  timeoutMs: number;
  /** A session unused this long is closed, releasing its connection. */
  idleMs: number;
}

export const DEFAULT_PREVIEW_SETTINGS: PreviewSettings = { timeoutMs: 120_000, idleMs: 10 * 60_000 };

export interface OpenPreview {
  warehouse: Warehouse;
  dialect: Dialect;
  sql: string;
  primaryKey?: string;
  /** Overrides the service's timeout (the user's setting, read when the preview opens). */
  timeoutMs?: number;
}

const MAX_LISTED_DUPLICATES = 100;
/** Pages kept for instant Previous; older ones are fetched again from the same snapshot when asked. */
export const MAX_CACHED_PAGES = 40;
/** The cache of one session in bytes (cells are cut to KEPT_CELL_CHARS first); the newest page always stays. */
export const MAX_CACHED_BYTES = 32 * 1024 * 1024;
/**
 * Distinct keys remembered for duplicate detection (4 MiB of KeySet): a row past this many distinct keys
 * is still checked against the remembered ones, but its own key is not remembered.
 */
export const MAX_TRACKED_KEYS = 200_000;

interface CachedPage {
  rows: Cell[][];
  hasMore: boolean;
  bytes: number;
  /**
   * Each row's key hash, from the whole value (the cached cell may be cut, and a cut 64 K prefix would
   * make distinct long keys look alike); NULL_KEY for a NULL key.
   */
  keys: KeyHash[];
}

function keyHashOf(cell: Cell): KeyHash {
  const text = keyText(cell);
  return text === undefined ? NULL_KEY : hashKey(text);
}

class Session {
  readonly pages = new Map<number, CachedPage>();
  cachedBytes = 0;
  readonly keySet = new KeySet(MAX_TRACKED_KEYS);
  /** Keys seen more than once, in the order found: kept as they appear, so a page never scans all keys. */
  readonly duplicates: string[] = [];
  keyIndex = -1;
  /** Highest row number fetched so far (pages may have left the cache). */
  rowsSoFar = 0;
  lastUsed = Date.now();
  /** Pages are fetched one at a time: the cursor moves forward only. */
  queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly cursor: PreviewCursor,
    readonly sql: string,
    readonly statementOffset: number,
    readonly primaryKey: string | undefined,
  ) {}
}

export class PreviewService {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly settings: PreviewSettings = DEFAULT_PREVIEW_SETTINGS) {
    this.sweeper = setInterval(() => void this.closeIdle(), Math.min(60_000, settings.idleMs));
    this.sweeper.unref();
  }

  async open(p: OpenPreview, signal: AbortSignal): Promise<PreviewResult> {
    const started = performance.now();
    const check = await checkReadOnlyStatement(p.sql, p.dialect);
    if (!check.ok) return { ok: false, error: { kind: check.kind, message: check.message, ...at(p.sql, check.offset) } };
    let cursor: PreviewCursor;
    try {
      cursor = await p.warehouse.openPreview(check.statement, { timeoutMs: p.timeoutMs ?? this.settings.timeoutMs, signal });
    } catch (err) {
      return { ok: false, error: previewError(err, p.sql, check.offset) };
    }
    const session = new Session(randomUUID(), cursor, p.sql, check.offset, p.primaryKey);
    if (p.primaryKey) {
      const exact = cursor.columns.findIndex((c) => c.name === p.primaryKey);
      session.keyIndex = exact >= 0 ? exact : cursor.columns.findIndex((c) => c.name.toLowerCase() === p.primaryKey!.toLowerCase());
    }
    this.sessions.set(session.id, session);
    const first = cursor.takeFirst();
    this.remember(session, 1, first.rows, first.hasMore);
    return { ok: true, page: this.pageOf(session, 1, performance.now() - started) };
  }

  page(sessionId: string, page: number, signal: AbortSignal): Promise<PreviewResult> {
    const session = this.sessions.get(sessionId);
    if (!session) return Promise.resolve({ ok: false, error: { kind: 'expired', message: 'This preview was closed or expired; run the query again.' } });
    if (!Number.isInteger(page) || page < 1) return Promise.resolve({ ok: false, error: { kind: 'refused', message: `Page ${page} does not exist.` } });
    session.lastUsed = Date.now();
    const run = session.queue.then(async (): Promise<PreviewResult> => {
      const started = performance.now();
      if (!session.pages.has(page)) {
        try {
          const r = await session.cursor.rows((page - 1) * PAGE_SIZE, PAGE_SIZE, signal);
          this.remember(session, page, r.rows, r.hasMore);
        } catch (err) {
          return { ok: false, error: previewError(err, session.sql, session.statementOffset) };
        }
      }
      return { ok: true, page: this.pageOf(session, page, performance.now() - started) };
    });
    session.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The whole value of one cell of a fetched page (the page carries at most MAX_CELL_CHARS of it): from
   * the cache when it was kept whole, else read again from the same snapshot. Undefined: no such cell.
   */
  async cell(sessionId: string, page: number, row: number, column: number, signal: AbortSignal): Promise<Cell | undefined> {
    const session = this.sessions.get(sessionId);
    const index = (page - 1) * PAGE_SIZE + row;
    if (!session || ![page, row, column].every(Number.isInteger) || page < 1 || row < 0 || row >= PAGE_SIZE || column < 0 || index >= session.rowsSoFar) return undefined;
    const cached = session.pages.get(page)?.rows[row]?.[column];
    if (cached !== undefined && !isTruncated(cached)) return cached;
    session.lastUsed = Date.now();
    const run = session.queue.then(async () => (await session.cursor.rows(index, 1, signal)).rows[0]?.[column]);
    session.queue = run.catch(() => undefined);
    return run;
  }

  async close(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    await session.queue;
    await session.cursor.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  private async closeIdle(): Promise<void> {
    const limit = Date.now() - this.settings.idleMs;
    for (const s of [...this.sessions.values()]) if (s.lastUsed < limit) await this.close(s.id);
  }

  private remember(session: Session, page: number, whole: Cell[][], hasMore: boolean): void {
    const firstVisit = (page - 1) * PAGE_SIZE >= session.rowsSoFar;
    const rows = whole.map((r) => r.map((c) => truncate(c, KEPT_CELL_CHARS)));
    let bytes = 0;
    for (const r of rows) for (const c of r) bytes += cellBytes(c);
    const keys = session.keyIndex < 0 ? [] : whole.map((r) => keyHashOf(r[session.keyIndex] ?? null));
    this.forget(session, page); // re-insert: Map order is the eviction order
    session.pages.set(page, { rows, hasMore, bytes, keys });
    session.cachedBytes += bytes;
    session.rowsSoFar = Math.max(session.rowsSoFar, (page - 1) * PAGE_SIZE + rows.length);
    // Memory stays flat however far a user pages and however large the values: only the most recent
    // pages are kept, within a number and a byte budget.
    while (session.pages.size > 1 && (session.pages.size > MAX_CACHED_PAGES || session.cachedBytes > MAX_CACHED_BYTES)) {
      this.forget(session, session.pages.keys().next().value!);
    }
    if (session.keyIndex < 0 || !firstVisit) return; // a page fetched again is not counted twice
    rows.forEach((row, i) => {
      const key = keys[i]!;
      if (key === NULL_KEY) return;
      if (session.keySet.see(key) === 'second' && session.duplicates.length < MAX_LISTED_DUPLICATES) session.duplicates.push(keyText(row[session.keyIndex] ?? null)!);
    });
  }

  private forget(session: Session, page: number): void {
    const cached = session.pages.get(page);
    if (!cached) return;
    session.pages.delete(page);
    session.cachedBytes -= cached.bytes;
  }

  /** Cached pages and their bytes (for tests and the bench). */
  cacheOf(sessionId: string): { pages: number[]; bytes: number } | undefined {
    const s = this.sessions.get(sessionId);
    return s && { pages: [...s.pages.keys()], bytes: s.cachedBytes };
  }

  private pageOf(session: Session, page: number, ms: number) {
    const { rows, hasMore, keys } = session.pages.get(page)!;
    const rowsSoFar = session.rowsSoFar;
    return {
      sessionId: session.id,
      page,
      pageSize: PAGE_SIZE,
      columns: session.cursor.columns,
      rows: rows.map((r) => r.map((c) => truncate(c))),
      hasMore,
      rowsSoFar,
      keys: this.keyIssues(session, keys),
      ms: Math.round(ms),
    };
  }

  private keyIssues(session: Session, keys: KeyHash[]): KeyIssues {
    if (!session.primaryKey) return { missing: false, duplicates: [], flaggedRows: [] };
    if (session.keyIndex < 0) return { column: session.primaryKey, missing: true, duplicates: [], flaggedRows: [] };
    const flaggedRows: number[] = [];
    keys.forEach((key, i) => {
      if (key === NULL_KEY || session.keySet.isDuplicate(key)) flaggedRows.push(i);
    });
    return {
      column: session.cursor.columns[session.keyIndex]!.name,
      missing: false,
      duplicates: [...session.duplicates],
      flaggedRows,
    };
  }
}

function at(sql: string, offset: number | undefined): { position?: SqlPosition } {
  return offset === undefined ? {} : { position: positionAt(sql, offset) };
}

/** A failure as the user sees it, with the position moved from the statement back into the file. */
export function previewError(err: unknown, sql: string, statementOffset: number): PreviewError {
  if (err instanceof WarehouseError) {
    const kind = err.kind === 'cancelled' ? 'cancelled' : err.kind === 'timeout' ? 'timeout' : CONNECTION_KINDS.has(err.kind) ? 'connection' : 'warehouse';
    const position = err.options.position !== undefined ? positionAt(sql, statementOffset + err.options.position) : undefined;
    return { kind, message: err.message, ...(position ? { position } : {}), ...(err.options.code ? { code: err.options.code } : {}) };
  }
  return { kind: 'warehouse', message: (err as Error).message ?? String(err) };
}

const CONNECTION_KINDS = new Set(['dns', 'refused', 'unreachable', 'tls', 'auth', 'secretMissing', 'database', 'role', 'warehouse']);
