// A small SQL lexer that knows where strings, quoted identifiers and comments are, so statement
// boundaries and keywords are found without looking inside them. Used where no parser has the last word
// (Snowflake text the local grammar cannot read).

export interface Token {
  kind: 'word' | 'symbol';
  text: string;
  start: number;
  end: number;
}

/** A comment or dollar-quoted string that never closes: the rest of the text is inside it. */
export interface Unterminated {
  what: 'comment' | 'dollar-quoted string';
  start: number;
}

export function lexSql(sql: string, unterminated?: Unterminated[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) unterminated?.push({ what: 'comment', start: i });
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"') {
      // Not backticks: neither PostgreSQL nor Snowflake quotes with them, and taking them as quotes let
      // "SELECT 1 ` ; DELETE FROM t `" pass as one statement.
      // A doubled quote is an escaped quote inside the literal; Snowflake also allows backslash escapes.
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && c === "'") j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      tokens.push({ kind: 'symbol', text: sql.slice(i, j + 1), start: i, end: Math.min(j + 1, n) });
      i = j + 1;
    } else if (c === '$' && next === '$') {
      const close = sql.indexOf('$$', i + 2);
      if (close < 0) unterminated?.push({ what: 'dollar-quoted string', start: i });
      const end = close < 0 ? n : close + 2;
      tokens.push({ kind: 'symbol', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: 'symbol', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Statements as [start, end) ranges of the text, split at top-level semicolons; empty ones dropped. */
export function statementRanges(sql: string): { start: number; end: number; tokens: Token[] }[] {
  const out: { start: number; end: number; tokens: Token[] }[] = [];
  let current: Token[] = [];
  const flush = () => {
    if (current.length > 0) out.push({ start: current[0]!.start, end: current[current.length - 1]!.end, tokens: current });
    current = [];
  };
  for (const t of lexSql(sql)) {
    if (t.kind === 'symbol' && t.text === ';') flush();
    else current.push(t);
  }
  flush();
  return out;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
