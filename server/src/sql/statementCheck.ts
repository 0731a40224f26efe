// The gate every preview passes: the text must be exactly one read-only statement. It is parsed, never
// pattern-matched: PostgreSQL text with the real PostgreSQL parser (libpg-query), Snowflake text with
// node-sql-parser and, where that grammar falls short, a lexer-based check that errs on the side of running.
import { Buffer } from 'node:buffer';
import type { WarehouseType } from '../../../protocol/src/config';
import { lexSql, statementRanges } from './sqlLexer';

export type Dialect = 'postgres' | 'snowflake';

export function dialectOf(type: WarehouseType): Dialect {
  return type === 'snowflake' ? 'snowflake' : 'postgres';
}

export type StatementCheck =
  | { ok: true; statement: string; offset: number }
  | { ok: false; kind: 'refused' | 'syntax'; message: string; offset?: number };

type PgQuery = typeof import('libpg-query');
let pgQuery: Promise<PgQuery> | undefined;

/** Loads the PostgreSQL parser (wasm) once per process. */
export function loadPgParser(): Promise<PgQuery> {
  pgQuery ??= (async () => {
    const mod = await import('libpg-query');
    await mod.loadModule();
    return mod;
  })();
  return pgQuery;
}

const WRITE_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export async function checkReadOnlyStatement(sql: string, dialect: Dialect): Promise<StatementCheck> {
  if (statementRanges(sql).length === 0) return { ok: false, kind: 'refused', message: 'The query is empty: write one SELECT.' };
  return dialect === 'postgres' ? checkPostgres(sql) : checkSnowflake(sql);
}

interface PgStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

async function checkPostgres(sql: string): Promise<StatementCheck> {
  const parser = await loadPgParser();
  let stmts: PgStmt[];
  try {
    stmts = (parser.parseSync(sql) as unknown as { stmts?: PgStmt[] }).stmts ?? [];
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number; message?: string } }).sqlDetails;
    const message = details?.message ?? (err as Error).message;
    return { ok: false, kind: 'syntax', message: capitalise(message), ...(details?.cursorPosition !== undefined ? { offset: details.cursorPosition } : {}) };
  }
  if (stmts.length === 0) return { ok: false, kind: 'refused', message: 'The query is empty: write one SELECT.' };
  // libpg-query gives locations in UTF-8 bytes; JavaScript strings count UTF-16 units.
  const bytes = Buffer.from(sql, 'utf8');
  const charOffset = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').length;
  const range = (s: PgStmt): [number, number] => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    return [charOffset(start), charOffset(end)];
  };
  if (stmts.length > 1) {
    const [secondStart] = range(stmts[1]!);
    return { ok: false, kind: 'refused', message: `A model is one statement; this text holds ${stmts.length}. Remove all but the SELECT.`, offset: skipSpace(sql, secondStart) };
  }
  const only = stmts[0]!;
  const [start, end] = range(only);
  const offset = skipSpace(sql, start);
  const kind = Object.keys(only.stmt)[0] ?? 'unknown';
  if (kind !== 'SelectStmt') {
    return { ok: false, kind: 'refused', message: `${statementName(kind)} is not allowed: a model must be a read-only SELECT (or WITH / VALUES / TABLE).`, offset };
  }
  const select = only.stmt.SelectStmt as Record<string, unknown>;
  if (select.intoClause) return { ok: false, kind: 'refused', message: 'SELECT ... INTO creates a table: a model must only read.', offset };
  const found = findForbidden(only.stmt);
  if (found) return { ok: false, kind: 'refused', message: found, offset };
  return { ok: true, statement: sql.slice(start, end).trim(), offset };
}

/** Data-changing CTEs and row locks hide inside a SELECT; the walk finds them anywhere in the tree. */
export function findForbidden(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const f = findForbidden(item);
      if (f) return f;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (WRITE_NODES.has(key)) return `${statementName(key)} inside the query is not allowed: a model must only read.`;
    if (key === 'lockingClause' && Array.isArray(value) && value.length > 0) {
      return 'SELECT ... FOR UPDATE / FOR SHARE locks rows: a model must only read.';
    }
    const f = findForbidden(value);
    if (f) return f;
  }
  return undefined;
}

export function statementName(astKind: string): string {
  const base = astKind.replace(/Stmt$/, '');
  const known: Record<string, string> = {
    Insert: 'INSERT', Update: 'UPDATE', Delete: 'DELETE', Merge: 'MERGE', Drop: 'DROP', Create: 'CREATE TABLE',
    CreateTableAs: 'CREATE TABLE AS', Truncate: 'TRUNCATE', Alter: 'ALTER', AlterTable: 'ALTER TABLE', Copy: 'COPY',
    Call: 'CALL', Grant: 'GRANT', Transaction: 'A transaction statement', VariableSet: 'SET', Explain: 'EXPLAIN', Do: 'DO',
  };
  return known[base] ?? base.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

export function skipSpace(sql: string, offset: number): number {
  let i = offset;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else return i;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const SNOWFLAKE_READ_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);
export const SNOWFLAKE_WRITE_WORDS = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE', 'CREATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE', 'COPY', 'PUT',
  'REMOVE', 'CALL', 'EXECUTE', 'UNDROP',
]);

/**
 * Snowflake: the lexer splits statements and reads the leading verb, which suffices to refuse writes;
 * node-sql-parser is not asked here, because its grammar misses valid Snowflake and a false refusal
 * would stop a user whose query is fine. Snowflake itself reports syntax errors with their position.
 */
function checkSnowflake(sql: string): StatementCheck {
  const statements = statementRanges(sql);
  if (statements.length > 1) {
    return { ok: false, kind: 'refused', message: `A model is one statement; this text holds ${statements.length}. Remove all but the SELECT.`, offset: statements[1]!.start };
  }
  const only = statements[0]!;
  const first = only.tokens.find((t) => t.kind === 'word' || t.text === '(');
  const verb = first?.kind === 'word' ? first.text.toUpperCase() : first?.text === '(' ? 'SELECT' : '';
  if (!SNOWFLAKE_READ_STARTS.has(verb)) {
    return { ok: false, kind: 'refused', message: `${verb || 'This statement'} is not allowed: a model must be a read-only SELECT (or WITH / VALUES).`, offset: only.start };
  }
  const write = lexSql(sql.slice(only.start, only.end)).find((t) => t.kind === 'word' && SNOWFLAKE_WRITE_WORDS.has(t.text.toUpperCase()));
  if (write) {
    return { ok: false, kind: 'refused', message: `${write.text.toUpperCase()} inside the query is not allowed: a model must only read.`, offset: only.start + write.start };
  }
  return { ok: true, statement: sql.slice(only.start, only.end), offset: only.start };
}
