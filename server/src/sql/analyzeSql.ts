// Diagnostics for a model's SQL: syntax, statement kind (one read-only statement), and checks against
// the warehouse catalog. PostgreSQL text is read by the real PostgreSQL parser. Snowflake text by
// node-sql-parser, whose grammar misses valid Snowflake: what it cannot read is confirmed with the
// warehouse when one is connected, and is otherwise only a Warning, because a false error is worse than
// a missed one.
import { Buffer } from 'node:buffer';
import type { Catalog } from '../warehouse/warehouse';
import { findSchema, findTable, suggestion, tablesNamed } from './catalogLookup';
import { checkPgSemantics } from './pgSemantics';
import { lexSql, statementRanges } from './sqlLexer';
import { findForbidden, isTooDeep, loadPgParser, skipSpace, statementName, SNOWFLAKE_READ_STARTS, SNOWFLAKE_WRITE_WORDS, TOO_DEEP, tooLargeToCheck, type Dialect } from './statementCheck';

export type Severity = 'error' | 'warning' | 'info';

export interface SqlDiagnostic {
  /** Character offsets in the text. */
  start: number;
  end: number;
  severity: Severity;
  message: string;
  code: string;
}

export interface AnalyzeContext {
  dialect: Dialect;
  catalog?: Catalog;
  primaryKey?: string;
  /**
   * Asks the warehouse whether it accepts `statement` (Snowflake: EXPLAIN). Resolves undefined when it
   * does, or with its error message and the offset within `statement` it points at.
   */
  confirm?: (statement: string) => Promise<{ message: string; offset?: number } | undefined>;
}

export async function analyzeSql(text: string, ctx: AnalyzeContext): Promise<SqlDiagnostic[]> {
  // Not a false Error: what cannot be checked here says so, as a Warning on the first line.
  const unchecked = (why: string, code: string): SqlDiagnostic[] => [
    { start: 0, end: Math.max(1, Math.min(text.length, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'))), severity: 'warning', code, message: `${why}; run it to see the warehouse's verdict.` },
  ];
  const large = tooLargeToCheck(text);
  if (large) return unchecked(large, 'too-large');
  if (statementRanges(text).length === 0) return [];
  try {
    return await (ctx.dialect === 'postgres' ? analyzePostgres(text, ctx) : analyzeSnowflake(text, ctx));
  } catch (err) {
    if (isTooDeep(err)) return unchecked(TOO_DEEP, 'too-deep');
    throw err;
  }
}

/** From an offset, the extent of the token there (a word, a quoted name, or one character). */
export function tokenRange(text: string, offset: number): [number, number] {
  const start = Math.max(0, Math.min(offset, text.length));
  const token = lexSql(text.slice(start, start + 200))[0];
  if (token && token.start === 0) return [start, start + token.end];
  return [start, Math.min(text.length, start + 1)];
}

/** From an offset, a whole dotted name (u.email, public.users): what a catalog problem is about. */
export function nameRange(text: string, offset: number): [number, number] {
  const tokens = lexSql(text.slice(offset, offset + 400));
  let end = tokens[0]?.start === 0 ? tokens[0].end : 1;
  for (let i = 1; i + 1 < tokens.length; i += 2) {
    if (tokens[i]!.text !== '.' || tokens[i]!.start !== end || tokens[i + 1]!.start !== end + 1) break;
    end = tokens[i + 1]!.end;
  }
  return [offset, Math.min(text.length, offset + end)];
}

interface PgStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

async function analyzePostgres(text: string, ctx: AnalyzeContext): Promise<SqlDiagnostic[]> {
  const parser = await loadPgParser();
  const toChar = byteToChar(text);
  let stmts: PgStmt[];
  try {
    stmts = (parser.parseSync(text) as unknown as { stmts?: PgStmt[] }).stmts ?? [];
  } catch (err) {
    if (isTooDeep(err)) throw err;
    const details = (err as { sqlDetails?: { cursorPosition?: number; message?: string } }).sqlDetails;
    const message = details?.message ?? (err as Error).message;
    const [start, end] = tokenRange(text, details?.cursorPosition ?? 0);
    return [{ start, end, severity: 'error', code: 'syntax', message: message.charAt(0).toUpperCase() + message.slice(1) }];
  }
  const out: SqlDiagnostic[] = [];
  stmts.forEach((s, index) => {
    const startByte = s.stmt_location ?? 0;
    const start = skipSpace(text, toChar(startByte));
    const firstToken = tokenRange(text, start);
    if (index > 0) {
      out.push({ start: firstToken[0], end: firstToken[1], severity: 'error', code: 'multiple-statements', message: 'A model is one statement: this is a second one. Remove it, or make it a CTE of the first.' });
    }
    const kind = Object.keys(s.stmt)[0] ?? 'unknown';
    if (kind !== 'SelectStmt') {
      out.push({ start: firstToken[0], end: firstToken[1], severity: 'error', code: 'not-read-only', message: `${statementName(kind)} is not allowed in a model: it must be one read-only SELECT (or WITH / VALUES / TABLE).` });
      return;
    }
    const select = s.stmt.SelectStmt as Record<string, unknown>;
    const forbidden = select.intoClause ? 'SELECT ... INTO creates a table: a model must only read.' : findForbidden(s.stmt);
    if (forbidden) out.push({ start: firstToken[0], end: firstToken[1], severity: 'error', code: 'not-read-only', message: forbidden });
    if (index === 0 && ctx.catalog) {
      for (const p of checkPgSemantics(s.stmt, ctx.catalog, ctx.primaryKey)) {
        const [a, b] = nameRange(text, toChar(p.location));
        out.push({ start: a, end: b, severity: 'error', code: p.code, message: p.message });
      }
    }
  });
  return out;
}

async function analyzeSnowflake(text: string, ctx: AnalyzeContext): Promise<SqlDiagnostic[]> {
  const out: SqlDiagnostic[] = [];
  const statements = statementRanges(text);
  statements.forEach((st, index) => {
    const first = st.tokens.find((t) => t.kind === 'word' || t.text === '(');
    // Any token after a ";" is a second statement to the read-only gate, which refuses to run it; one that
    // starts with a literal ("SELECT 1; 'x'") was passed over here, so the editor showed nothing (found by
    // the property tests).
    const head = first ?? st.tokens[0];
    if (index > 0 && head) {
      out.push({ start: head.start, end: head.end, severity: 'error', code: 'multiple-statements', message: 'A model is one statement: this is a second one. Remove it, or make it a CTE of the first.' });
    }
    const verb = first?.kind === 'word' ? first.text.toUpperCase() : 'SELECT';
    if (first && !SNOWFLAKE_READ_STARTS.has(verb)) {
      out.push({ start: first.start, end: first.end, severity: 'error', code: 'not-read-only', message: `${verb} is not allowed in a model: it must be one read-only SELECT (or WITH / VALUES).` });
      return;
    }
    const write = st.tokens.find((t) => t.kind === 'word' && SNOWFLAKE_WRITE_WORDS.has(t.text.toUpperCase()));
    if (write) out.push({ start: write.start, end: write.end, severity: 'error', code: 'not-read-only', message: `${write.text.toUpperCase()} inside the query is not allowed: a model must only read.` });
  });
  if (out.length > 0) return out;

  const only = statements[0]!;
  const statement = text.slice(only.start, only.end);
  const { Parser } = await loadSnowflakeGrammar();
  let ast: unknown;
  try {
    ast = new Parser().astify(statement, { database: 'snowflake' });
  } catch (err) {
    const location = (err as { location?: { start?: { offset?: number } } }).location?.start?.offset ?? 0;
    if (ctx.confirm) {
      const verdict = await ctx.confirm(statement);
      if (!verdict) return out; // Snowflake accepts it: the local grammar was wrong
      const [a, b] = tokenRange(text, only.start + (verdict.offset ?? location));
      out.push({ start: a, end: b, severity: 'error', code: 'syntax', message: verdict.message });
      return out;
    }
    const [a, b] = tokenRange(text, only.start + location);
    out.push({
      start: a,
      end: b,
      severity: 'warning',
      code: 'syntax-unconfirmed',
      message: `The local Snowflake parser could not read this (${firstLine((err as Error).message)}). It may still be valid Snowflake: verify the credentials so Snowflake can check it, or run the query.`,
    });
    return out;
  }
  if (ctx.catalog) out.push(...snowflakeTableChecks(ast, text, only.start, ctx.catalog));
  return out;
}

/**
 * Unknown tables in FROM and JOIN (not CTE names), checked on node-sql-parser's tree. An explicit stack,
 * not recursion, so a tree of any depth cannot overflow; children are pushed last-first so nodes are
 * still read in source order, which decides which CTE names are known when a FROM is checked.
 */
export function snowflakeTableChecks(ast: unknown, text: string, base: number, catalog: Catalog): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const ctes = new Set<string>();
  const stack: unknown[] = [ast];
  const pushChildren = (children: unknown[]) => {
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  };
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      pushChildren(node);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.with)) for (const w of n.with as { name?: { value?: string } | string }[]) ctes.add(String(typeof w.name === 'object' ? w.name?.value : w.name).toUpperCase());
    if (n.type === 'select' && Array.isArray(n.from)) {
      for (const f of n.from as { table?: string; db?: string | null; schema?: string | null }[]) {
        if (typeof f.table !== 'string' || ctes.has(f.table.toUpperCase())) continue;
        const schemaName = f.schema ?? f.db ?? undefined;
        const schema = schemaName ? findSchema(catalog, schemaName) : undefined;
        if (schemaName && !schema) continue; // another database or schema this catalog does not hold
        const found = schema ? findTable(schema, f.table) : tablesNamed(catalog, f.table)[0];
        if (found) continue;
        const at = findWord(text, base, f.table);
        const all = catalog.schemas.flatMap((s) => s.tables.map((t) => t.name));
        out.push({ start: at, end: at + f.table.length, severity: 'error', code: 'unknown-table', message: `Unknown table "${f.table}".${suggestion(f.table, all)}` });
      }
    }
    pushChildren(Object.values(n));
  }
  return out;
}

function findWord(text: string, from: number, word: string): number {
  const upper = word.toUpperCase();
  const hit = lexSql(text.slice(from)).find((t) => t.kind === 'word' && t.text.toUpperCase() === upper);
  return hit ? from + hit.start : from;
}

type SnowflakeGrammar = { Parser: new () => { astify(sql: string, opt: { database: string }): unknown } };
let grammar: Promise<SnowflakeGrammar> | undefined;
/** Only node-sql-parser's Snowflake build (260 kB), loaded when a Snowflake file is first checked. */
function loadSnowflakeGrammar(): Promise<SnowflakeGrammar> {
  grammar ??= Promise.resolve(require('node-sql-parser/build/snowflake') as SnowflakeGrammar);
  return grammar;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** libpg-query counts UTF-8 bytes; this maps them to string offsets (identity for ASCII text). */
function byteToChar(text: string): (byte: number) => number {
  if (Buffer.byteLength(text, 'utf8') === text.length) return (b) => b;
  const bytes = Buffer.from(text, 'utf8');
  return (b) => bytes.subarray(0, b).toString('utf8').length;
}
