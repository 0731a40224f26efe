// The gate every preview passes: the text must be exactly one read-only statement. It is parsed, never
// pattern-matched: PostgreSQL text with the real PostgreSQL parser (libpg-query), Snowflake text with
// polyglot-sql and, where that parser cannot read it, a lexer-based check of the verb and write keywords.
import { Buffer } from 'node:buffer';
import type { WarehouseType } from '../../../protocol/src/config';
import { kindName, kindOf, readSnowflake, SNOWFLAKE_READ_KINDS, type SnowflakeRead } from './snowflakeParser';
import { lexSql, statementRanges, type Token } from './sqlLexer';

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

/** Larger texts are not parsed here: the parser's time and memory grow with them, and the engine is shared. */
export const MAX_CHECKED_BYTES = 1_000_000;

/** Why `sql` is not checked locally (too large), or undefined. */
export function tooLargeToCheck(sql: string): string | undefined {
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes <= MAX_CHECKED_BYTES) return undefined;
  return `Too large to check here: ${(bytes / 1_000_000).toFixed(1)} MB (the limit is ${MAX_CHECKED_BYTES / 1_000_000} MB)`;
}

/** A parse tree deeper than a JavaScript stack (the parser's own conversion recurses). */
export function isTooDeep(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

export const TOO_DEEP = 'Too deeply nested to check here (the parser ran out of stack)';

export async function checkReadOnlyStatement(sql: string, dialect: Dialect): Promise<StatementCheck> {
  // Unchecked text never runs: the check is what keeps a model read-only.
  const unchecked = (why: string): StatementCheck => ({ ok: false, kind: 'refused', message: `${why}: a model must pass the read-only check before it runs. Split it (views, CTEs in smaller models).` });
  const large = tooLargeToCheck(sql);
  if (large) return unchecked(large);
  if (statementRanges(sql).length === 0) return { ok: false, kind: 'refused', message: 'The query is empty: write one SELECT.' };
  try {
    return dialect === 'postgres' ? await checkPostgres(sql) : await checkSnowflake(sql);
  } catch (err) {
    if (isTooDeep(err)) return unchecked(TOO_DEEP);
    throw err;
  }
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
    if (isTooDeep(err)) throw err;
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

/**
 * Functions that act outside the transaction, where READ ONLY does not reach: another session (dblink),
 * other backends, the server's configuration, files and large objects, notifications, advisory locks.
 * Refused by name; a function of the user's own can still wrap one, which only the role's rights stop.
 */
const OUTSIDE_FUNCTIONS = new Set([
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'set_config', 'pg_notify',
  'pg_read_file', 'pg_read_binary_file', 'pg_stat_file', 'pg_ls_dir', 'pg_logical_emit_message', 'pg_switch_wal',
  'pg_create_restore_point', 'pg_promote', 'loread', 'lowrite', 'pg_drop_replication_slot', 'pg_replication_slot_advance',
  'pg_log_backend_memory_contexts', 'pg_backup_start', 'pg_backup_stop', 'pg_start_backup', 'pg_stop_backup',
  // These run a text as a query, which the check never sees: whatever it calls would pass unnamed.
  'ts_stat', 'ts_rewrite',
]);
const OUTSIDE_PREFIXES = [
  'dblink', 'lo_', 'pg_advisory_', 'pg_try_advisory_', 'pg_ls_', 'pg_file_', 'pg_create_', 'pg_replication_origin_',
  'pg_stat_reset', 'pg_wal_replay_', 'query_to_', 'cursor_to_',
];

export function outsideFunction(name: string): boolean {
  const n = name.toLowerCase();
  return OUTSIDE_FUNCTIONS.has(n) || OUTSIDE_PREFIXES.some((p) => n.startsWith(p));
}

/** The called function's own name (the last part of `schema.name`). */
function functionName(call: unknown): string | undefined {
  const parts = (call as { funcname?: { String?: { sval?: string } }[] } | null)?.funcname;
  return Array.isArray(parts) ? parts[parts.length - 1]?.String?.sval : undefined;
}

/**
 * Data-changing CTEs, row locks and functions that act outside the transaction hide anywhere inside a
 * SELECT. An explicit stack, not recursion: a parse tree of any depth is walked without overflowing.
 */
export function findForbidden(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (WRITE_NODES.has(key)) return `${statementName(key)} inside the query is not allowed: a model must only read.`;
      if (key === 'lockingClause' && Array.isArray(value) && value.length > 0) {
        return 'SELECT ... FOR UPDATE / FOR SHARE locks rows: a model must only read.';
      }
      if (key === 'FuncCall') {
        const name = functionName(value);
        if (name && outsideFunction(name)) {
          return `${name}() is not allowed in a model: it acts outside the read-only transaction (another session, the server, files or locks). A model must only read.`;
        }
      }
      stack.push(value);
    }
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
 * Snowflake: the lexer splits statements; polyglot's tree says what kind the one statement is. Where the
 * parser cannot read it (a syntax error, a construct it misses, its depth guards) the lexer's leading
 * verb and write keywords decide, erring on the side of refusing.
 */
async function checkSnowflake(sql: string): Promise<StatementCheck> {
  const statements = statementRanges(sql);
  if (statements.length > 1) {
    return { ok: false, kind: 'refused', message: `A model is one statement; this text holds ${statements.length}. Remove all but the SELECT.`, offset: statements[1]!.start };
  }
  const only = statements[0]!;
  const text = sql.slice(only.start, only.end);
  const verdict = snowflakeReadOnly(text, await readSnowflake(text));
  if (verdict) return { ok: false, kind: 'refused', message: verdict.message, offset: only.start + verdict.offset };
  return { ok: true, statement: text, offset: only.start };
}

/**
 * A write keyword where it would be a statement's verb: outside brackets (Snowflake has no statement inside
 * a SELECT; a WITH's main statement is at the top), not a name (after `.`, `:` or AS) and not a function
 * (TRUNCATE(x, 0) is TRUNC). The fallback when the parser cannot read the text.
 */
function statementWord(tokens: Token[]): Token | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t.kind === 'word' && SNOWFLAKE_WRITE_WORDS.has(t.text.toUpperCase())) {
      const before = tokens[i - 1];
      const named = before && (before.text === '.' || before.text === ':' || (before.kind === 'word' && before.text.toUpperCase() === 'AS'));
      if (!named && tokens[i + 1]?.text !== '(') return t;
    }
  }
  return undefined;
}

/** Why one Snowflake statement is not a read-only model (offset within it), or undefined when it is. */
export function snowflakeReadOnly(text: string, read: SnowflakeRead): { message: string; offset: number } | undefined {
  if (read.ok) {
    const kind = read.ast.length === 1 ? kindOf(read.ast[0]!) : 'select';
    if (!SNOWFLAKE_READ_KINDS.has(kind)) {
      // At the statement's verb (after a WITH, the INSERT), else at its start.
      const verb = kindName(kind).split(' ')[0]!;
      const at = lexSql(text).find((t) => t.kind === 'word' && t.text.toUpperCase() === verb);
      return { message: `${kindName(kind)} is not allowed: a model must be a read-only SELECT (or WITH / VALUES).`, offset: at?.start ?? skipSpace(text, 0) };
    }
  } else {
    const tokens = lexSql(text);
    const first = tokens.find((t) => t.kind === 'word' || t.text === '(');
    const verb = first?.kind === 'word' ? first.text.toUpperCase() : first?.text === '(' ? 'SELECT' : '';
    if (!SNOWFLAKE_READ_STARTS.has(verb)) return { message: `${verb || 'This statement'} is not allowed: a model must be a read-only SELECT (or WITH / VALUES).`, offset: first?.start ?? 0 };
    const write = statementWord(tokens);
    if (write) return { message: `${write.text.toUpperCase()} inside the query is not allowed: a model must only read.`, offset: write.start };
  }
  // Upper-cased: an account with QUOTED_IDENTIFIERS_IGNORE_CASE resolves "system$wait" to SYSTEM$WAIT.
  const system = snowflakeCalls(text).find((c) => c.name.toUpperCase().startsWith('SYSTEM$'));
  if (system?.name === UNKNOWN_CALL) {
    return {
      message: "A function called through IDENTIFIER() must be named by a plain literal such as 'db.schema.fn': given with escapes, a variable or an expression, it cannot be told from a SYSTEM$ or external function.",
      offset: system.offset,
    };
  }
  if (system) {
    return {
      message: `${system.name}() is not allowed in a model: Snowflake's system functions act on the account (cancel queries, change settings, send notifications), which no read-only check can bound. A model must only read.`,
      offset: system.offset,
    };
  }
  return undefined;
}

/**
 * The functions a Snowflake text calls (a name right before `(`), by the name Snowflake resolves: an
 * unquoted name upper-cased, a quoted one as written; for `db.schema.fn(` the last part; for
 * `IDENTIFIER('fn')(` the name in the literal.
 */
export function snowflakeCalls(sql: string): { name: string; offset: number }[] {
  const tokens = lexSql(sql);
  const calls: { name: string; offset: number }[] = [];
  const resolve = (name: string) => (name.startsWith('"') && name.endsWith('"') && name.length > 2 ? name.slice(1, -1).replace(/""/g, '"') : name.toUpperCase());
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    // The lexer drops comments and spaces, so `fn /* x */ (` and `fn // x` + newline + `(` are calls too.
    if (tokens[i + 1]!.text !== '(') continue;
    if (t.kind === 'word' && t.text.toUpperCase() === 'IDENTIFIER') {
      const close = tokens.findIndex((x, j) => j > i + 1 && x.text === ')');
      if (close < 0 || tokens[close + 1]?.text !== '(') continue; // IDENTIFIER('t') as a table or column
      const literal = close === i + 3 ? tokens[i + 2]!.text : '';
      calls.push({ name: identifierCallName(literal) ?? UNKNOWN_CALL, offset: t.start });
    } else if (t.kind === 'word') calls.push({ name: t.text.toUpperCase(), offset: t.start });
    else if (t.text.startsWith('"') && t.text.endsWith('"') && t.text.length > 2) calls.push({ name: resolve(t.text), offset: t.start });
  }
  return calls;
}

/** A call through IDENTIFIER() whose function cannot be named here: refused like SYSTEM$ ones. */
export const UNKNOWN_CALL = 'SYSTEM$IDENTIFIER?';

/**
 * The function IDENTIFIER('db.s.fn')( calls, when its literal is plain: quoted in '…', no backslash
 * (Snowflake decodes \x24, \u0053 and the like inside it), and a dotted name of plain or "quoted" parts.
 */
function identifierCallName(literal: string): string | undefined {
  if (!/^'[^'\\]*'$/.test(literal)) return undefined;
  const parts = /^\s*((?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")(?:\.(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+"))*)\s*$/.exec(literal.slice(1, -1));
  if (!parts) return undefined;
  const last = /((?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+"))$/.exec(parts[1]!)![1]!;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toUpperCase();
}
