// Property tests: the parsers the engine runs on every keystroke (retl.yaml, model SQL) and the check on
// every message from the panel are fed random and mutated input. They must answer (problems,
// diagnostics, a refusal) and never throw, since a throw there is a broken language server or a panel
// acting on garbage. The seed is fixed, so a run is reproducible and a failure names its input.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseConfig } from '../../server/src/config/parseConfig';
import { analyzeSql } from '../../server/src/sql/analyzeSql';
import { completeSql, hoverSql } from '../../server/src/sql/completion';
import { checkReadOnlyStatement, type Dialect } from '../../server/src/sql/statementCheck';
import { checkFromWebview } from '../../protocol/src/webviewMessageCheck';
import type { FromWebview } from '../../protocol/src/webviewMessages';
import { corpus, fixtureCatalog } from '../helpers/sqlCorpus';
import { SAMPLE_YAML } from '../helpers/tempDir';

const SEED = 4242;
/** A single call slower than this is a hang in the making (backtracking, a loop), not a slow machine. */
const SLOW_MS = 5_000;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

function timed<T>(what: string, f: () => T): T {
  const start = performance.now();
  const out = f();
  const ms = performance.now() - start;
  assert.ok(ms < SLOW_MS, `${what} took ${ms.toFixed(0)} ms`);
  return out;
}

async function timedAsync<T>(what: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await f();
  const ms = performance.now() - start;
  assert.ok(ms < SLOW_MS, `${what} took ${ms.toFixed(0)} ms`);
  return out;
}

// ---- text generators shared by YAML and SQL ----

/** Any UTF-16 code unit, lone surrogates included: editors hand those over mid-edit. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 120 });
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }), utf16);

type Mutation = { op: 'delete' | 'duplicate' | 'insert' | 'swap' | 'truncate'; at: number; to: number; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'insert', 'swap', 'truncate'),
  at: fc.nat(),
  to: fc.nat(),
  text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("'", '"', '(', ')', ';', '--', '/*', '*/', '\n', '$$', '\t', '\\', '\u0000', '\ud800', 'é', '😀')),
});

/** Character-level edits at arbitrary places: what a half-typed edit looks like. */
function mutateText(text: string, mutations: Mutation[]): string {
  let s = text;
  for (const m of mutations) {
    const n = s.length + 1;
    const a = m.at % n;
    const b = m.to % n;
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    switch (m.op) {
      case 'delete':
        s = s.slice(0, lo) + s.slice(hi);
        break;
      case 'duplicate':
        s = s.slice(0, hi) + s.slice(lo, hi) + s.slice(hi);
        break;
      case 'insert':
        s = s.slice(0, a) + m.text + s.slice(a);
        break;
      case 'swap': {
        const mid = lo + Math.floor((hi - lo) / 2);
        s = s.slice(0, lo) + s.slice(mid, hi) + s.slice(lo, mid) + s.slice(hi);
        break;
      }
      case 'truncate':
        s = s.slice(0, a);
        break;
    }
  }
  return s;
}

// ---- retl.yaml ----

type LineMutation = { op: 'delete' | 'duplicate' | 'swap' | 'indent' | 'insert'; line: number; other: number; shift: number; text: string };
const lineMutation: fc.Arbitrary<LineMutation> = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'insert'),
  line: fc.nat(),
  other: fc.nat(),
  shift: fc.integer({ min: -6, max: 6 }),
  text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', '- ', '&a ', '*a', '!!str ', '|', '>', '{', '[', '#', '"', "'", '\t', '? ', '<<: ', '---', '~')),
});

/** Line-level edits of a valid file: lines lost, repeated, moved, re-indented, typed into. */
function mutateLines(text: string, mutations: LineMutation[]): string {
  const lines = text.split('\n');
  for (const m of mutations) {
    if (lines.length === 0) lines.push('');
    const i = m.line % lines.length;
    const j = m.other % lines.length;
    switch (m.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, lines[i]!);
        break;
      case 'swap':
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      case 'indent':
        lines[i] = m.shift >= 0 ? ' '.repeat(m.shift) + lines[i]! : lines[i]!.replace(new RegExp(`^ {0,${-m.shift}}`), '');
        break;
      case 'insert': {
        const line = lines[i]!;
        const at = m.other % (line.length + 1);
        lines[i] = line.slice(0, at) + m.text + line.slice(at);
        break;
      }
    }
  }
  return lines.join('\n');
}

const YAML_PIECES = [
  'version', 'stateSchema', 'credentials', 'models', 'connections', 'destinations', 'id', 'name', 'type', 'query', 'model',
  'primaryKey', 'mapping', 'schedule', 'host', 'port', 'passwordEnv', 'demo', 'postgres', 'snowflake', 'webhook',
  'a.sql', 'models/x.sql', '15m', '1', '1.5', '-1', 'true', 'null', '~', '', ':', ': ', '- ', '-', '\n', '\n  ', '\n    ', '  ',
  '\t', '&a ', '*a', '*b', '&b ', '<<: ', '!!str ', '!!map ', '!x ', '|', '>-', '{', '}', '[', ']', ',', '#', '# c', '"', "'",
  '"\\u0000"', '---', '...', '? ', '%YAML 1.2', '@', '`',
];
const yamlish = fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 80 }).map((parts) => parts.join(''));

function checkParsed(text: string): void {
  const parsed = timed('parseConfig', () => parseConfig(text));
  // The contract callers rely on: a config only without problems, problems placed on real lines.
  assert.equal(parsed.config === undefined, parsed.problems.length > 0);
  for (const p of parsed.problems) {
    assert.equal(typeof p.message, 'string');
    assert.ok(p.line >= 1 && p.column >= 1, JSON.stringify(p));
  }
}

describe('properties: retl.yaml parser never throws', () => {
  it('random strings', () => {
    fc.assert(fc.property(anyText, checkParsed), runs(1000));
  });

  it('YAML-ish token soups (anchors, aliases, tags, flow collections)', () => {
    fc.assert(fc.property(yamlish, checkParsed), runs(1000));
  });

  it('line mutations of a valid retl.yaml', () => {
    fc.assert(fc.property(fc.array(lineMutation, { minLength: 1, maxLength: 6 }), (ms) => checkParsed(mutateLines(SAMPLE_YAML, ms))), runs(800));
  });

  it('character mutations of a valid retl.yaml', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (ms) => checkParsed(mutateText(SAMPLE_YAML, ms))), runs(800));
  });
});

// ---- SQL ----

const SQL_WORDS = [
  'SELECT', 'FROM', 'WHERE', 'WITH', 'AS', 'JOIN', 'LEFT', 'CROSS', 'LATERAL', 'ON', 'USING', 'GROUP', 'BY', 'ORDER', 'HAVING',
  'LIMIT', 'OFFSET', 'UNION', 'ALL', 'MINUS', 'DISTINCT', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AND', 'OR', 'NOT', 'IN', 'IS',
  'NULL', 'EXISTS', 'OVER', 'PARTITION', 'WINDOW', 'QUALIFY', 'SAMPLE', 'FLATTEN', 'INPUT', 'VALUES', 'TABLE', 'INTERVAL', 'CAST',
  'ILIKE', 'FILTER', 'INTO', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SET', 'CREATE', 'DROP', 'COPY', 'CALL', 'EXPLAIN', 'BEGIN',
  'COMMIT', 'GRANT', 'TRUNCATE', 'RETURNING', 'FOR', 'SHARE', 'count', 'now', 'dblink', 'pg_sleep', 'set_config', 'lo_import',
];
const SQL_NAMES = [
  'users', 'USERS', 'u', 'a', 'accounts', 'events', 'orders', 'public', 'PUBLIC', 'analytics', 'id', 'ID', 'email', 'user_id',
  'traits', 'occurred_at', '"users"', '"Mixed Case"', '"a""b"', '""', 'x1', '_', 'é', '"😀"', '$1', ':name', '?', '@v',
];
const SQL_PUNCT = [
  '(', ')', ',', '.', ';', '*', '=', '<>', '<', '>', '::', '->', '->>', '||', '+', '-', '/', '%', '[', ']', '{', '}', ':', '=>',
  "'", "''", "'text'", "E'\\''", '"', '`', '$$', '$t$', '$$ x $$', '--', '-- c\n', '/*', '*/', '/* c */', '\n', ' ', '\t',
  '0', '1', '42', '1.5e3', '0x1F', '\\', '\u0000', '\ud800', '\u00a0',
];
/**
 * Keyword, name and punctuation soups. Bounded in length, and so in nesting depth: pgSemantics still
 * recurses (being made iterative elsewhere), and depth is not what these properties are about.
 */
const sqlSoup = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SQL_WORDS) }, { weight: 3, arbitrary: fc.constantFrom(...SQL_NAMES) }, { weight: 4, arbitrary: fc.constantFrom(...SQL_PUNCT) }), { maxLength: 80 })
  .chain((tokens) => fc.array(fc.constantFrom(' ', '', '\n'), { minLength: tokens.length, maxLength: tokens.length }).map((gaps) => tokens.map((t, i) => t + gaps[i]!).join('')));
/** A SELECT head makes the soups reach the parts after the first token (FROM resolution, the catalog). */
const sqlText = fc.oneof(anyText, sqlSoup, sqlSoup.map((s) => `SELECT ${s}`), sqlSoup.map((s) => `SELECT id FROM users u WHERE ${s}`));

const DIALECTS: Dialect[] = ['postgres', 'snowflake'];
const CORPUS: Record<Dialect, string[]> = {
  postgres: [...corpus('postgres-valid.sql'), ...corpus('postgres-invalid.sql')],
  snowflake: [...corpus('snowflake-valid.sql'), ...corpus('snowflake-invalid.sql')],
};
const mutatedQuery = (dialect: Dialect) =>
  fc.tuple(fc.nat({ max: CORPUS[dialect].length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => mutateText(CORPUS[dialect][i]!, ms));

/**
 * Queries built from a small SELECT grammar over the fixture catalog's names (and a few unknown ones), so
 * the catalog and semantic checks run, not only the syntax error path. fc.memo bounds the nesting:
 * subqueries at most three deep.
 */
function builtQuery(dialect: Dialect): fc.Arbitrary<string> {
  const catalog = fixtureCatalog(dialect);
  const tables = catalog.schemas.flatMap((s) => s.tables.map((t) => ({ schema: s.name, name: t.name })));
  const columns = [...new Set(catalog.schemas.flatMap((s) => s.tables.flatMap((t) => t.columns.map((c) => c.name)))), 'nope', 'emial', '"id"', '"ID"'];
  const alias = fc.constantFrom('u', 'a', 'e', 'sub', 'c', '"Q"', 'users');
  const column = fc.oneof(fc.constantFrom(...columns), fc.tuple(alias, fc.constantFrom(...columns)).map(([t, c]) => `${t}.${c}`));
  const leaf = fc.oneof({ weight: 4, arbitrary: column }, fc.constantFrom('1', "'x'", 'NULL', 'now()', 'count(*)', 'TRUE', '$1'));
  const tableRef = fc
    .tuple(fc.constantFrom(...tables), fc.boolean(), fc.option(alias, { nil: undefined }), fc.constantFrom('plain', 'lower', 'upper', 'quoted'))
    .map(([t, qualified, as, spelling]) => {
      const cased = (n: string) => (spelling === 'lower' ? n.toLowerCase() : spelling === 'upper' ? n.toUpperCase() : spelling === 'quoted' ? `"${n}"` : n);
      return `${qualified ? `${cased(t.schema)}.` : ''}${cased(t.name)}${as ? ` ${as}` : ''}`;
    });
  const dialectFrom = dialect === 'postgres' ? "jsonb_each_text(e.properties) AS p" : 'LATERAL FLATTEN(INPUT => e.PROPERTIES) f';
  const expr: fc.Memo<string> = fc.memo((n) =>
    n <= 1
      ? leaf
      : fc.oneof(
          { weight: 6, arbitrary: leaf },
          fc.tuple(expr(n - 1), fc.constantFrom(' + ', ' = ', ' AND ', ' OR ', ' || ', ' < '), expr(n - 1)).map(([l, op, r]) => `${l}${op}${r}`),
          fc.tuple(fc.constantFrom('count', 'max', 'coalesce', 'lower', 'sum'), expr(n - 1)).map(([f, e]) => `${f}(${e})`),
          fc.tuple(expr(n - 1), expr(n - 1)).map(([c, v]) => `CASE WHEN ${c} THEN ${v} ELSE NULL END`),
          expr(n - 1).map((e) => `CAST(${e} AS text)`),
          query(n - 1).map((q) => `(${q})`),
          query(n - 1).map((q) => `EXISTS (${q})`),
          fc.tuple(column, query(n - 1)).map(([e, q]) => `${e} IN (${q})`),
        ),
  );
  const fromItem: fc.Memo<string> = fc.memo((n) =>
    n <= 1
      ? tableRef
      : fc.oneof(
          { weight: 6, arbitrary: tableRef },
          fc.tuple(query(n - 1), alias).map(([q, a]) => `(${q}) AS ${a}`),
          fc.tuple(query(n - 1), alias).map(([q, a]) => `LATERAL (${q}) ${a}`),
          fc.constant(dialectFrom),
        ),
  );
  const item = (n: number) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(expr(n), fc.option(fc.constantFrom('user_id', 'id', 'email', '"Name"', 'x'), { nil: undefined })).map(([e, as]) => (as ? `${e} AS ${as}` : e)) },
      fc.constantFrom('*', 'u.*'),
    );
  const query: fc.Memo<string> = fc.memo((n) =>
    fc
      .record({
        cte: n > 1 ? fc.option(query(n - 1), { nil: undefined, freq: 4 }) : fc.constant(undefined),
        distinct: fc.boolean(),
        items: fc.array(item(n), { minLength: 1, maxLength: 3 }),
        from: fc.option(fromItem(n), { nil: undefined, freq: 8 }),
        joins: fc.array(fc.tuple(fc.constantFrom('JOIN', 'LEFT JOIN', 'CROSS JOIN', ','), fromItem(n), expr(n)), { maxLength: 2 }),
        where: fc.option(expr(n), { nil: undefined }),
        groupBy: fc.option(column, { nil: undefined, freq: 3 }),
        tail: fc.constantFrom('', '', ' ORDER BY 1', ' LIMIT 10', ' UNION ALL SELECT 1'),
      })
      .map(({ cte, distinct, items, from, joins, where, groupBy, tail }) => {
        let sql = cte ? `WITH c AS (${cte}) ` : '';
        sql += `SELECT ${distinct ? 'DISTINCT ' : ''}${items.join(', ')}`;
        if (from) {
          sql += ` FROM ${from}`;
          for (const [kind, it, on] of joins) sql += kind === ',' ? `, ${it}` : kind === 'CROSS JOIN' ? ` CROSS JOIN ${it}` : ` ${kind} ${it} ON ${on}`;
        }
        if (where) sql += ` WHERE ${where}`;
        if (groupBy) sql += ` GROUP BY ${groupBy}`;
        return sql + tail;
      }),
  );
  // Only the outermost query ends in what the gate must refuse or what only one dialect reads.
  const outerTail = fc.constantFrom('', '', '', '\n', ';', ' FOR UPDATE', '; SELECT 2', '; DELETE FROM users', ' QUALIFY row_number() OVER (PARTITION BY id ORDER BY id) = 1', ' -- done');
  return fc.tuple(query(3), outerTail).map(([q, t]) => q + t);
}

async function checkAnalysis(text: string, dialect: Dialect, withCatalog: boolean, primaryKey?: string): Promise<void> {
  const catalog = withCatalog ? fixtureCatalog(dialect) : undefined;
  const diagnostics = await timedAsync(`analyzeSql ${dialect}`, () => analyzeSql(text, { dialect, ...(catalog ? { catalog } : {}), ...(primaryKey ? { primaryKey } : {}) }));
  for (const d of diagnostics) {
    assert.ok(['error', 'warning', 'info'].includes(d.severity), JSON.stringify(d));
    assert.ok(typeof d.message === 'string' && d.message.length > 0, JSON.stringify(d));
    assert.ok(Number.isInteger(d.start) && Number.isInteger(d.end) && d.start >= 0 && d.start <= d.end && d.end <= text.length, JSON.stringify(d));
  }
}

async function checkGate(text: string, dialect: Dialect): Promise<void> {
  const r = await timedAsync(`checkReadOnlyStatement ${dialect}`, () => checkReadOnlyStatement(text, dialect));
  // What passes is what runs: it must be the text's own statement, not something rebuilt from it.
  if (r.ok) assert.ok(text.includes(r.statement), JSON.stringify(r));
  else assert.ok(r.message.length > 0);
}

function checkCompletion(text: string, at: number, dialect: Dialect): void {
  const offset = at % (text.length + 1);
  const catalog = fixtureCatalog(dialect);
  for (const c of [catalog, undefined]) {
    const items = timed('completeSql', () => completeSql(text, offset, c));
    assert.ok(Array.isArray(items));
    timed('hoverSql', () => hoverSql(text, offset, c));
  }
}

describe('properties: SQL analysis, read-only gate and completion', () => {
  // libpg-query loads its wasm on first use; that is not what the time limit is about.
  before(async () => {
    await checkReadOnlyStatement('SELECT 1', 'postgres');
  });

  for (const dialect of DIALECTS) {
    // Fewer runs for Snowflake: its parser (polyglot in wasm) is slower per text than libpg-query.
    const n = dialect === 'postgres' ? 500 : 250;

    it(`${dialect}: analyzeSql on random text and token soups, with and without the catalog`, async () => {
      await fc.assert(fc.asyncProperty(sqlText, fc.boolean(), (text, withCatalog) => checkAnalysis(text, dialect, withCatalog)), runs(n));
    });

    it(`${dialect}: analyzeSql on mutated corpus queries, with and without the catalog`, async () => {
      await fc.assert(fc.asyncProperty(mutatedQuery(dialect), fc.boolean(), (text, withCatalog) => checkAnalysis(text, dialect, withCatalog)), runs(n));
    });

    it(`${dialect}: analyzeSql on queries built from the catalog's names, with a primary key or none`, async () => {
      const primaryKey = fc.option(fc.constantFrom('user_id', 'id', 'ID', 'email', 'x'), { nil: undefined });
      await fc.assert(fc.asyncProperty(builtQuery(dialect), fc.boolean(), primaryKey, (text, withCatalog, pk) => checkAnalysis(text, dialect, withCatalog, pk)), runs(n));
    });

    it(`${dialect}: the read-only gate on random text, token soups and mutated corpus queries`, async () => {
      await fc.assert(fc.asyncProperty(fc.oneof(sqlText, mutatedQuery(dialect), builtQuery(dialect)), (text) => checkGate(text, dialect)), runs(n));
    });

    it(`${dialect}: the gate refuses exactly what the editor marks as an Error of syntax or statement kind`, async () => {
      // Two differences are by design: an empty text is not marked (nothing to point at) but cannot run,
      // and Snowflake's syntax is Snowflake's to judge when the model runs: the editor marks what the local
      // parser refuses, the gate does not stop it (a parser gap must not block a valid model).
      const GATE_CODES = new Set(['not-read-only', 'multiple-statements', 'too-large', 'too-deep', ...(dialect === 'postgres' ? ['syntax'] : [])]);
      await fc.assert(
        fc.asyncProperty(fc.oneof(sqlText, mutatedQuery(dialect), builtQuery(dialect)), async (text) => {
          const gate = await checkReadOnlyStatement(text, dialect);
          const marks = await analyzeSql(text, { dialect });
          const blocked = marks.some((d) => d.severity === 'error' && GATE_CODES.has(d.code));
          const show = `${gate.ok ? 'runs' : gate.message} / ${JSON.stringify(marks.map((d) => [d.code, d.severity]))}`;
          if (gate.ok) assert.ok(!blocked, show);
          else if (marks.length > 0 || !/empty/.test(gate.message)) assert.ok(blocked || marks.some((d) => d.code === 'syntax-unconfirmed'), show);
        }),
        runs(n),
      );
    });

    it(`${dialect}: completion and hover at any offset`, () => {
      fc.assert(fc.property(fc.oneof(sqlText, mutatedQuery(dialect), builtQuery(dialect)), fc.nat(), (text, at) => checkCompletion(text, at, dialect)), runs(500));
    });
  }
});

// ---- messages from the webview ----

const id = fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/);
const anyString = fc.string({ maxLength: 40 });
const page = fc.integer({ min: 1, max: 1_000_000 });
const index = fc.nat({ max: 10_000 });
const mappingArb = fc.dictionary(fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__'), fc.string({ maxLength: 20 }), { maxKeys: 8 });

/** One arbitrary per FromWebview case; the record keys make a missing case a compile error. */
const VALID: { [K in FromWebview['type']]: fc.Arbitrary<Extract<FromWebview, { type: K }>> } = {
  ready: fc.constant({ type: 'ready' }),
  runQuery: fc.oneof(fc.constant({ type: 'runQuery' as const }), fc.record({ type: fc.constant('runQuery' as const), sql: anyString })),
  page: fc.record({ type: fc.constant('page' as const), page }),
  cancel: fc.constant({ type: 'cancel' }),
  cell: fc.record({ type: fc.constant('cell' as const), page, row: index, column: index }),
  finish: fc.record({ type: fc.constant('finish' as const), description: anyString, sql: anyString }),
  rename: fc.record({ type: fc.constant('rename' as const), name: anyString }),
  delete: fc.constant({ type: 'delete' }),
  verify: fc.constant({ type: 'verify' }),
  switchCredentials: fc.record({ type: fc.constant('switchCredentials' as const), credentialsId: id }),
  editCredentials: fc.constant({ type: 'editCredentials' }),
  copy: fc.record({ type: fc.constant('copy' as const), text: anyString, what: anyString }),
  goToLine: fc.record({ type: fc.constant('goToLine' as const), line: page, column: page }),
  revealConnection: fc.record({ type: fc.constant('revealConnection' as const), connectionId: id }),
  syncNow: fc.record({ type: fc.constant('syncNow' as const), connectionId: id }),
  editMapping: fc.record({ type: fc.constant('editMapping' as const), connectionId: id }),
  saveMapping: fc.record({ type: fc.constant('saveMapping' as const), connectionId: id, mapping: mappingArb }),
  pauseConnection: fc.record({ type: fc.constant('pauseConnection' as const), connectionId: id, paused: fc.boolean() }),
  retryFailed: fc.record({ type: fc.constant('retryFailed' as const), connectionId: id }),
  loadActivity: fc.record({ type: fc.constant('loadActivity' as const), connectionId: id }),
  exportResults: fc.constant({ type: 'exportResults' }),
  cancelExport: fc.constant({ type: 'cancelExport' }),
};
/**
 * The rules of FromWebview written out again, independently of the validator, as the oracle for random
 * values: a field list per type and what each field holds.
 */
type Kind = 'text' | 'text?' | 'positive' | 'index' | 'mapping' | 'flag';
const FIELDS: { [K in FromWebview['type']]: Record<string, Kind> } = {
  ready: {}, runQuery: { sql: 'text?' }, page: { page: 'positive' }, cancel: {}, cell: { page: 'positive', row: 'index', column: 'index' },
  finish: { description: 'text', sql: 'text' }, rename: { name: 'text' }, delete: {}, verify: {}, switchCredentials: { credentialsId: 'text' },
  editCredentials: {}, copy: { text: 'text', what: 'text' }, goToLine: { line: 'positive', column: 'positive' }, revealConnection: { connectionId: 'text' },
  syncNow: { connectionId: 'text' }, editMapping: { connectionId: 'text' }, saveMapping: { connectionId: 'text', mapping: 'mapping' },
  pauseConnection: { connectionId: 'text', paused: 'flag' }, retryFailed: { connectionId: 'text' }, loadActivity: { connectionId: 'text' },
  exportResults: {}, cancelExport: {},
};
const plain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'text?':
      return v === undefined || typeof v === 'string';
    case 'text':
      return typeof v === 'string';
    case 'positive':
      return Number.isSafeInteger(v) && (v as number) >= 1;
    case 'index':
      return Number.isSafeInteger(v) && (v as number) >= 0;
    case 'flag':
      return typeof v === 'boolean';
    case 'mapping':
      return plain(v) && Object.getOwnPropertySymbols(v).length === 0 && Object.entries(v).every(([k, f]) => k !== '__proto__' && typeof f === 'string');
  }
}
function isMessage(v: unknown): boolean {
  if (!plain(v) || Object.getOwnPropertySymbols(v).length > 0 || typeof v.type !== 'string' || !Object.hasOwn(FIELDS, v.type)) return false;
  const fields = FIELDS[v.type as FromWebview['type']];
  return (
    Object.keys(v).every((k) => k === 'type' || Object.hasOwn(fields, k)) &&
    Object.entries(fields).every(([k, kind]) => (Object.hasOwn(v, k) || kind === 'text?') && fits(kind, v[k]))
  );
}

const validMessage: fc.Arbitrary<FromWebview> = fc.oneof(...Object.values(VALID));
const TYPES = Object.keys(VALID);

const BIG = 'x'.repeat(10 * 1024 * 1024 + 1);
/** Values of the wrong JavaScript type, by the type the field holds. */
const NOT_STRINGS: unknown[] = [undefined, null, true, 0, 1n, [], ['a'], {}, Symbol('s'), () => 'x', new Date(0)];
const NOT_NUMBERS: unknown[] = [undefined, null, '1', true, 1n, [], {}, Symbol('s'), new Date(0)];
/** Numbers no page, line or position can be; 0 is refused only where counting starts at 1. */
const BAD_INDEXES: unknown[] = [-1, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE];
const BAD_POSITIVES: unknown[] = [0, ...BAD_INDEXES];
const NOT_MAPPINGS: unknown[] = [undefined, null, 'a', 1, [], [['a', 'b']], { a: 1 }, { a: null }, { a: ['b'] }, new Date(0), new Map([['a', 'b']])];
const NOT_FLAGS: unknown[] = [undefined, null, 'true', 1, 0, [], {}, new Date(0)];

function wrongValuesFor(m: FromWebview, field: string): unknown[] {
  const value = (m as unknown as Record<string, unknown>)[field];
  if (typeof value === 'string') return m.type === 'runQuery' ? NOT_STRINGS.filter((v) => v !== undefined) : NOT_STRINGS;
  if (typeof value === 'number') return [...NOT_NUMBERS, ...(m.type === 'cell' && field !== 'page' ? BAD_INDEXES : BAD_POSITIVES)];
  if (typeof value === 'boolean') return NOT_FLAGS;
  return NOT_MAPPINGS;
}

/** Changes a valid message so that it is no longer one. */
const brokenMessage = fc
  .tuple(validMessage, fc.nat(), fc.nat(), fc.constantFrom('remove', 'retype', 'huge', 'extra', 'type'))
  .map(([m, which, bad, how]) => {
    const fields = Object.keys(m).filter((k) => k !== 'type');
    const copy: Record<string, unknown> = { ...m };
    const field = fields[which % Math.max(1, fields.length)];
    // runQuery's sql is optional: removing it leaves a valid message.
    if (how === 'remove' && field && m.type !== 'runQuery') delete copy[field];
    else if (how === 'retype' && field) {
      const wrong = wrongValuesFor(m, field);
      copy[field] = wrong[bad % wrong.length];
    } else if (how === 'huge' && field && typeof copy[field] === 'string') copy[field] = BIG;
    else if (how === 'type') copy.type = `${m.type}x`;
    else copy.surprise = 1;
    return copy;
  });

describe('properties: messages from the webview are checked', () => {
  it('random values never throw and are refused unless they are a valid message', () => {
    const values = fc.oneof(fc.anything({ withNullPrototype: true, withObjectString: true, withBigInt: true, withDate: true, withMap: true, withSet: true }), fc.jsonValue(), fc.object(), fc.record({ type: fc.oneof(fc.constantFrom(...TYPES), fc.string()) }, { requiredKeys: [] }).chain((base) => fc.object().map((o) => ({ ...o, ...base }))));
    fc.assert(
      fc.property(values, (v) => {
        const r = checkFromWebview(v);
        assert.equal(r.ok, isMessage(v), r.ok ? 'accepted' : r.reason);
        if (r.ok) assert.equal(r.message, v);
        else assert.ok(r.reason.length > 0 && r.reason.length < 300, r.reason);
      }),
      runs(1000),
    );
  });

  it('every valid message is accepted and returned unchanged', () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        const before = structuredClone(m);
        const r = checkFromWebview(m);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.equal(r.message, m);
        // Compared as clones: fc.record may build null-prototype objects, which the check accepts as plain.
        assert.deepEqual(structuredClone(m), before);
      }),
      runs(500),
    );
  });

  it('every valid message survives structured cloning (what postMessage does to it)', () => {
    fc.assert(fc.property(validMessage, (m) => assert.ok(checkFromWebview(structuredClone(m)).ok)), runs(200));
  });

  it('a valid message with a field removed, retyped, enlarged, an extra field or another type is refused', () => {
    fc.assert(
      fc.property(brokenMessage, (m) => {
        const r = checkFromWebview(m);
        assert.equal(r.ok, false, `accepted ${String(JSON.stringify(m, (_k, v: unknown) => (typeof v === 'string' && v.length > 50 ? `${v.slice(0, 50)}…` : typeof v === 'bigint' || typeof v === 'symbol' ? String(v) : v)))}`);
      }),
      runs(500),
    );
  });

  it('pages, rows, columns and lines outside their range are refused', () => {
    const badPositive = fc.oneof(fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0.5), fc.integer({ max: 0 }), fc.double().filter((d) => !Number.isInteger(d)));
    const badIndex = fc.oneof(fc.constantFrom(-1, 0.5, NaN, Infinity, 2 ** 53), fc.integer({ max: -1 }), fc.double().filter((d) => !Number.isInteger(d)));
    fc.assert(
      fc.property(badPositive, badIndex, (p, i) => {
        assert.equal(checkFromWebview({ type: 'page', page: p }).ok, false);
        assert.equal(checkFromWebview({ type: 'cell', page: p, row: 0, column: 0 }).ok, false);
        assert.equal(checkFromWebview({ type: 'cell', page: 1, row: i, column: 0 }).ok, false);
        assert.equal(checkFromWebview({ type: 'cell', page: 1, row: 0, column: i }).ok, false);
        assert.equal(checkFromWebview({ type: 'goToLine', line: p, column: 1 }).ok, false);
        assert.equal(checkFromWebview({ type: 'goToLine', line: 1, column: p }).ok, false);
      }),
      runs(300),
    );
  });
});

