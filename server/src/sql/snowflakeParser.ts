// The Snowflake parser: polyglot-sql (sqlglot's dialects in Rust, compiled to wasm; 23 MB, loaded with the
// first Snowflake text, never for PostgreSQL). Its tree gives the statement's kind and the tables it reads,
// with character spans. Not its strictSyntax mode: that refuses a trailing comma before FROM, which
// Snowflake accepts.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

type Polyglot = typeof import('@polyglot-sql/sdk');

let loading: Promise<Polyglot> | undefined;

export function loadSnowflakeParser(): Promise<Polyglot> {
  loading ??= (async () => {
    // dist/polyglot.js beside the engine bundle (with its wasm); the package itself when run from sources.
    const bundled = path.join(__dirname, 'polyglot.js');
    const mod = (existsSync(bundled) ? require(bundled) : require('@polyglot-sql/sdk')) as Polyglot;
    await mod.init();
    return mod;
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

export interface SyntaxProblem {
  message: string;
  /** Character offsets within the statement. */
  start: number;
  end: number;
}

export type SnowflakeRead = { ok: true; ast: SfNode[] } | { ok: false; problem: SyntaxProblem } | { ok: false; tooDeep: string };

/** A node of polyglot's tree: one key naming its kind (`select`, `union`, `table`, …) over its fields. */
export type SfNode = Record<string, unknown>;

/** The last statement read: a document is checked again unchanged when its catalog arrives. */
let last: { statement: string; read: SnowflakeRead } | undefined;

/** Parses one statement; its first syntax problem with its span when it does not read. */
export async function readSnowflake(statement: string): Promise<SnowflakeRead> {
  if (last?.statement === statement) return last.read;
  const read = await parseSnowflake(statement);
  last = { statement, read };
  return read;
}

async function parseSnowflake(statement: string): Promise<SnowflakeRead> {
  const p = await loadSnowflakeParser();
  const parsed = p.parse(statement, p.Dialect.Snowflake);
  const at = utf16Offsets(statement);
  if (parsed.success && parsed.ast) return { ok: true, ast: at ? withUtf16Spans(parsed.ast as unknown as SfNode[], at) : (parsed.ast as unknown as SfNode[]) };
  const message = (parsed.error ?? 'cannot be read').replace(/^Parse error at line \d+, column \d+: /, '');
  // Its guards (32 nested subqueries, 512 levels of tree: a 513-arm UNION) say nothing about the text.
  if (/E_GUARD_/.test(message)) return { ok: false, tooDeep: message };
  const start = parsed.errorStart ?? 0;
  const end = Math.max(start + 1, parsed.errorEnd ?? 0);
  return { ok: false, problem: { message, start: at ? at(start) : start, end: at ? at(end) : end } };
}

/**
 * polyglot counts characters (code points); JavaScript strings count UTF-16 units, two for an emoji. Only
 * for a text that holds such characters: code point offset → UTF-16 offset.
 */
function utf16Offsets(text: string): ((codePoint: number) => number) | undefined {
  if (!/[\uD800-\uDFFF]/.test(text)) return undefined;
  const units: number[] = [];
  let u = 0;
  for (const ch of text) {
    units.push(u);
    u += ch.length;
  }
  units.push(u);
  return (cp) => units[Math.min(Math.max(0, cp), units.length - 1)]!;
}

/** Every `span` of the tree in UTF-16 offsets. An explicit stack: no tree depth overflows. */
function withUtf16Spans(ast: SfNode[], at: (codePoint: number) => number): SfNode[] {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const span = (node as { span?: { start?: unknown; end?: unknown } }).span;
    if (span && typeof span.start === 'number' && typeof span.end === 'number') {
      span.start = at(span.start);
      span.end = at(span.end);
    }
    stack.push(...Object.values(node));
  }
  return ast;
}

/** Snowflake's reserved keywords (docs: sql-reference/reserved-keywords): never a name unquoted. */
export const SNOWFLAKE_RESERVED = new Set(
  `ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION CONSTRAINT CREATE CROSS CURRENT
  CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING
  FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT
  LIKE LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION QUALIFY REGEXP REVOKE RIGHT RLIKE
  ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE
  USING VALUES VIEW WHEN WHENEVER WHERE WITH`.split(/\s+/),
);

/** Top-level kinds that only read: a SELECT, a set operation of them, VALUES, a bracketed query. */
export const SNOWFLAKE_READ_KINDS = new Set(['select', 'union', 'intersect', 'except', 'values', 'subquery']);

export function kindOf(node: SfNode): string {
  return Object.keys(node)[0] ?? 'unknown';
}

/** How a kind of statement is named in a message: `create_table` → CREATE TABLE. */
export function kindName(kind: string): string {
  const named: Record<string, string> = { set_statement: 'SET', command: 'This command', describe: 'EXPLAIN / DESCRIBE', transaction: 'A transaction statement' };
  return named[kind] ?? kind.replace(/_/g, ' ').toUpperCase();
}

export interface Ident {
  name: string;
  quoted: boolean;
  start: number;
  end: number;
}

/** polyglot's identifier node (`{name, quoted, span}`), or undefined. */
export function identOf(v: unknown): Ident | undefined {
  const n = v as { name?: unknown; quoted?: boolean; span?: { start: number; end: number } } | null;
  if (!n || typeof n.name !== 'string' || !n.span) return undefined;
  return { name: n.name, quoted: n.quoted === true, start: n.span.start, end: n.span.end };
}

/** The name Snowflake resolves: unquoted names fold to upper case, quoted names keep theirs. */
export function resolvedName(id: Ident): string {
  return id.quoted ? id.name : id.name.toUpperCase();
}
