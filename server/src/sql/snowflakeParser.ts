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

/** Parses one statement; its first syntax problem with its span when it does not read. */
export async function readSnowflake(statement: string): Promise<SnowflakeRead> {
  const p = await loadSnowflakeParser();
  const parsed = p.parse(statement, p.Dialect.Snowflake);
  if (parsed.success && parsed.ast) return { ok: true, ast: parsed.ast as unknown as SfNode[] };
  const message = (parsed.error ?? 'cannot be read').replace(/^Parse error at line \d+, column \d+: /, '');
  // Its guards (32 nested subqueries, 512 levels of tree: a 513-arm UNION) say nothing about the text.
  if (/E_GUARD_/.test(message)) return { ok: false, tooDeep: message };
  const start = parsed.errorStart ?? 0;
  return { ok: false, problem: { message, start, end: Math.max(start + 1, parsed.errorEnd ?? 0) } };
}

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
