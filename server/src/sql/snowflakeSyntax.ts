// Broken Snowflake that polyglot 0.12.1 reads without complaint (found by attacking it), checked here so
// the editor says what Snowflake will: an empty select list, a dangling comma, a comment or $$ string
// that never closes, backticks, IN (), a reserved word used as a name. Each rule only matches text
// Snowflake refuses; the valid corpus (test/fixtures/sql/snowflake-docs-corpus.sql) keeps them honest.
import type { SqlDiagnostic } from './analyzeSql';
import { identOf, type SfNode } from './snowflakeParser';
import { lexSql, type Unterminated } from './sqlLexer';

/** Reserved words that start a clause: a comma right before one ends a list with nothing. */
const CLAUSES = new Set(['WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'UNION', 'MINUS', 'INTERSECT']);

/**
 * Reserved words Snowflake never takes as an unquoted column or alias. Not its whole reserved list: some of
 * those (ACCOUNT, SCHEMA, VIEW, JOIN words) are refused only in some places, and a false Error is worse.
 * Not ALL: polyglot reads ORDER BY ALL as a column ALL.
 */
const NEVER_A_NAME = new Set(
  'SELECT FROM WHERE GROUP HAVING ORDER BY UNION INTERSECT MINUS QUALIFY DISTINCT AND OR NOT NULL TRUE FALSE CASE WHEN THEN ELSE IN IS LIKE ILIKE BETWEEN AS WITH'.split(' '),
);

const syntax = (start: number, end: number, message: string): SqlDiagnostic => ({ start, end, severity: 'error', code: 'syntax', message });

/** Problems in the statement at [start, end) of `text` (the whole document, for comments after it). */
export function snowflakeSyntaxGaps(text: string, start: number, end: number, ast: SfNode[]): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const open: Unterminated[] = [];
  const tokens = lexSql(text, open).filter((t) => t.start >= start && t.end <= end);
  for (const u of open) out.push(syntax(u.start, Math.min(text.length, u.start + 2), `Syntax error: this ${u.what} is never closed.`));
  let backtickSeen = false;
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    const word = t.kind === 'word' ? t.text.toUpperCase() : '';
    if (t.text === '`') {
      if (!backtickSeen) out.push(syntax(t.start, t.end, 'Syntax error: Snowflake does not quote names with backticks; use double quotes ("name").'));
      backtickSeen = true;
    } else if (t.text === ',' && (!next || (next.kind === 'word' && CLAUSES.has(next.text.toUpperCase())))) out.push(syntax(t.start, t.end, `Syntax error: a comma with nothing after it${next ? ` before ${next.text.toUpperCase()}` : ''}.`));
    else if (word === 'IN' && next?.text === '(' && tokens[i + 2]?.text === ')') out.push(syntax(next.start, tokens[i + 2]!.end, 'Syntax error: IN () needs at least one value.'));
    else if (word === 'SELECT') {
      const after = ['DISTINCT', 'ALL'].includes(next?.text.toUpperCase() ?? '') ? tokens[i + 2] : next;
      if (after?.kind === 'word' && after.text.toUpperCase() === 'FROM') out.push(syntax(after.start, after.end, 'Syntax error: SELECT needs at least one column before FROM.'));
    }
  });
  return [...out, ...reservedNames(ast, start)];
}

/** Columns, aliases and tables named by an unquoted reserved word ("SELECT DISTINCT DISTINCT ID"). */
function reservedNames(ast: SfNode[], base: number): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const n = node as Record<string, unknown>;
    const column = n.column as { name?: unknown } | undefined;
    const alias = n.alias as { alias?: unknown } | undefined;
    for (const name of [column && identOf(column.name), alias && typeof alias === 'object' ? identOf(alias.alias) : undefined]) {
      if (name && !name.quoted && NEVER_A_NAME.has(name.name.toUpperCase())) {
        out.push(syntax(base + name.start, base + name.end, `Syntax error: ${name.name.toUpperCase()} is a reserved word in Snowflake; quote it ("${name.name.toUpperCase()}") to use it as a name.`));
      }
    }
    const children = Object.values(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}
