// Catalog checks of Snowflake models on polyglot's tree, with Snowflake's case rules (an unquoted name is
// the upper-cased one, a quoted name only itself): unknown schema, table and column with the nearest
// name, ambiguous columns, duplicate output names, a primary key missing from the output. No false
// Error: a name is judged only where every source it could come from is known (a catalog table);
// subqueries, CTEs, table functions, PIVOT and MATCH_RECOGNIZE, another database's tables make the
// checks around them stand down. Explicit stacks: no tree depth overflows.
import type { Catalog, CatalogTable } from '../warehouse/warehouse';
import type { SqlDiagnostic } from './analyzeSql';
import { didYouMean, hintText, sourceLabel } from './catalogLookup';
import { spellAs } from './nameSpelling';
import { identOf, resolvedName, type Ident, type SfNode } from './snowflakeParser';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A problem about a misspelt name (`at`, statement offsets): `message` followed by the nearest of the
 * candidates, and the edit that writes it in the name's place.
 */
function misspelt(at: Ident, code: string, message: string, candidates: Iterable<string>): SqlDiagnostic {
  const near = didYouMean(resolvedName(at), candidates);
  const written = at.quoted ? `"${at.name}"` : at.name;
  return {
    start: at.start,
    end: at.end,
    severity: 'error',
    code,
    message: `${message}${hintText(near)}`,
    ...(near ? { fix: { start: at.start, end: at.end, text: spellAs(near, written, 'snowflake') } } : {}),
  };
}

/** A problem found at statement offsets, moved to the text's. */
function shifted(d: SqlDiagnostic, base: number): SqlDiagnostic {
  return { ...d, start: base + d.start, end: base + d.end, ...(d.fix ? { fix: { ...d.fix, start: base + d.fix.start, end: base + d.fix.end } } : {}) };
}

/** Every CTE name in the statement. Visible everywhere here: shadowing a table is judged permissively. */
function cteNames(ast: SfNode[]): Set<string> {
  const ctes = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isObj(node)) {
      for (const cte of ((node.with as { ctes?: { alias?: unknown }[] } | undefined)?.ctes ?? [])) {
        const alias = identOf(cte.alias);
        if (alias) ctes.add(resolvedName(alias));
      }
      stack.push(...Object.values(node));
    }
  }
  return ctes;
}

/**
 * Unknown schemas and tables in FROM and JOIN (not CTE names). A database-qualified name is not judged: the
 * catalog holds the connection's database only.
 */
export function snowflakeTableChecks(ast: SfNode[], base: number, catalog: Catalog, ctes = cteNames(ast)): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const all = catalog.schemas.flatMap((s) => s.tables.map((t) => t.name));
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    if (!isObj(node)) continue;
    // A table reference's name is an identifier node; a column's `table` qualifier is one itself.
    const ref = node.table as { name?: unknown; schema?: unknown; catalog?: unknown } | undefined;
    const name = ref && typeof ref.name === 'object' ? identOf(ref.name) : undefined;
    if (name && !identOf(ref!.catalog)) {
      const problem = tableProblem(catalog, name, identOf(ref!.schema), ctes, all);
      if (problem) out.push(shifted(problem, base));
    }
    const children = Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function tableProblem(catalog: Catalog, name: Ident, schema: Ident | undefined, ctes: Set<string>, all: string[]): SqlDiagnostic | undefined {
  const wanted = resolvedName(name);
  // Every database has one; the catalog leaves it out.
  if (schema && resolvedName(schema) === 'INFORMATION_SCHEMA') return undefined;
  if (!schema) {
    if (ctes.has(wanted) || catalog.schemas.some((s) => s.tables.some((t) => t.name === wanted))) return undefined;
    return misspelt(name, 'unknown-table', `Unknown table "${name.name}".`, all);
  }
  const found = catalog.schemas.find((s) => s.name === resolvedName(schema));
  if (!found) {
    return misspelt(schema, 'unknown-schema', `Unknown schema "${schema.name}".`, catalog.schemas.map((s) => s.name));
  }
  if (found.tables.some((t) => t.name === wanted)) return undefined;
  return misspelt(name, 'unknown-table', `Unknown table "${schema.name}.${name.name}".`, found.tables.map((t) => t.name));
}

/** A FROM item by the name its columns are qualified with; `table` only when its columns are known for sure. */
interface Source {
  name: string;
  /** As written, for messages. */
  label: string;
  /** The alias it was given, as written: messages name the table and the alias. */
  alias?: string;
  table: CatalogTable | undefined;
}

/** One SELECT's FROM items, and the output names its own clauses may use (Snowflake's lateral aliases). */
interface Level {
  sources: Source[];
  /** JOIN ... USING or NATURAL JOIN merges same-named columns: no ambiguity checks at this level. */
  merged: boolean;
  aliases: Set<string>;
  /** Aliases and plain columns of the select list: ORDER BY names an output column before a source's. */
  outputs: Set<string>;
}

/** The catalog table a FROM item names, when it is one for sure (no database, a schema the catalog holds). */
function catalogTable(catalog: Catalog, ref: Obj, ctes: Set<string>): CatalogTable | undefined {
  const name = typeof ref.name === 'object' ? identOf(ref.name) : undefined;
  if (!name || identOf(ref.catalog)) return undefined;
  const schema = identOf(ref.schema);
  // A CTE of that name shadows the catalog table, with an alias or without (dbt models do both).
  if (!schema && ctes.has(resolvedName(name))) return undefined;
  const schemas = schema ? catalog.schemas.filter((s) => s.name === resolvedName(schema)) : catalog.schemas;
  const found = schemas.flatMap((s) => s.tables.filter((t) => t.name === resolvedName(name)));
  // A source with no listed columns (a stream) has columns this catalog does not know.
  return found.length === 1 && found[0]!.columns.length > 0 ? found[0] : undefined;
}

/** The FROM items of a SELECT, bracketed joins opened up; whether a join merges columns. */
function fromItems(select: Obj): { items: Obj[]; merged: boolean } {
  const items: Obj[] = [];
  let merged = false;
  const stack: unknown[] = [((select.from as Obj | undefined)?.expressions as unknown[] | undefined) ?? [], (select.joins as unknown[] | undefined) ?? []];
  while (stack.length > 0) {
    const next = stack.shift();
    if (Array.isArray(next)) {
      stack.unshift(...next);
      continue;
    }
    if (!isObj(next)) continue;
    if ('this' in next && 'kind' in next) {
      // A join: its table, and whether it merges same-named columns.
      if ((Array.isArray(next.using) && next.using.length > 0) || String(next.kind).startsWith('Natural')) merged = true;
      stack.unshift(next.this);
      continue;
    }
    const joined = next.joined_table as Obj | undefined;
    if (isObj(joined)) stack.unshift(joined.left, (joined.joins as unknown[] | undefined) ?? []);
    else items.push(next);
  }
  return { items, merged };
}

function levelOf(select: Obj, catalog: Catalog, ctes: Set<string>): Level {
  const { items, merged } = fromItems(select);
  const sources: Source[] = [];
  for (const item of items) {
    const [kind] = Object.keys(item);
    const body = item[kind!];
    if (!isObj(body)) {
      sources.push({ name: '', label: '', table: undefined });
      continue;
    }
    const alias = typeof body.alias === 'string' ? { name: body.alias, quoted: false, start: 0, end: 0 } : identOf(body.alias);
    const name = kind === 'table' && typeof body.name === 'object' ? identOf(body.name) : undefined;
    const key = alias ?? name;
    // USERS AS u (a, b, …) renames the table's columns: not known here.
    const renamed = Array.isArray(body.column_aliases) && body.column_aliases.length > 0;
    sources.push({
      name: key ? resolvedName(key) : '',
      label: key?.name ?? '',
      ...(alias ? { alias: alias.name } : {}),
      table: kind === 'table' && !renamed ? catalogTable(catalog, body, ctes) : undefined,
    });
  }
  const aliases = new Set<string>();
  const outputs = new Set<string>();
  for (const e of (select.expressions as unknown[] | undefined) ?? []) {
    const alias = isObj(e) && isObj(e.alias) ? identOf(e.alias.alias) : undefined;
    const column = isObj(e) && isObj(e.column) ? identOf(e.column.name) : undefined;
    if (alias) aliases.add(resolvedName(alias));
    if (alias ?? column) outputs.add(resolvedName((alias ?? column)!));
  }
  return { sources, merged, aliases, outputs };
}

/**
 * Snowflake's date and time parts: polyglot reads an unquoted one (DATEADD(epoch_second, …), TRUNC(d, week))
 * as a column, so a column of that name is never judged.
 */
const DATE_PARTS = new Set(
  `YEAR Y YY YYY YYYY YR YEARS YRS MONTH MM MON MONS MONTHS DAY D DD DAYS DAYOFMONTH WEEK W WK WEEKOFYEAR WOY WY
  WEEKISO WEEK_ISO WEEKOFYEARISO WEEKOFYEAR_ISO QUARTER Q QTR QTRS QUARTERS YEAROFWEEK YEAROFWEEKISO DAYOFWEEK WEEKDAY
  DOW DW DAYOFWEEKISO WEEKDAY_ISO DOW_ISO DW_ISO DAYOFYEAR YEARDAY DOY DY HOUR H HH HR HOURS HRS MINUTE M MI MIN
  MINUTES MINS SECOND S SEC SECONDS SECS MS MSEC MILLISECOND MILLISECONDS US USEC MICROSECOND MICROSECONDS NS NSEC
  NANOSEC NANOSECOND NANOSECONDS NANOSECS NSECOND NSECONDS EPOCH EPOCH_SECOND EPOCH_SECONDS EPOCH_MILLISECOND
  EPOCH_MILLISECONDS EPOCH_MICROSECOND EPOCH_MICROSECONDS EPOCH_NANOSECOND EPOCH_NANOSECONDS TIMEZONE_HOUR TZH
  TIMEZONE_MINUTE TZM`.split(/\s+/),
);

/** $1 positions, and METADATA$ACTION and the like, which CHANGES, streams and stages add to any source. */
const positionalOrMetadata = (name: Ident) => name.name.startsWith('$') || /^METADATA\$/i.test(name.name);

/** An unquoted word polyglot may read as a column though it is none: a date part, a context function. */
const keywordLike = (name: Ident) => !name.quoted && (DATE_PARTS.has(name.name.toUpperCase()) || PSEUDO_COLUMNS.has(name.name.toUpperCase()) || /^(CURRENT_|LOCAL|SYS)/i.test(name.name));

/** CONNECT BY's LEVEL; ORDER BY ALL, which polyglot reads as a column ALL. */
const PSEUDO_COLUMNS = new Set(['LEVEL', 'ALL']);

interface Walk {
  node: unknown;
  /** The levels a column here sees, innermost first. */
  scopes: Level[];
  /** Lambda parameters in scope (FILTER(arr, x -> x > 1)). */
  lambdas: ReadonlySet<string>;
  /** Inside the ORDER BY of scopes[0]'s SELECT. */
  orderBy?: boolean;
}

/**
 * Columns checked against the sources of the SELECT they are in, from the innermost outwards (correlated
 * subqueries): unknown with the nearest name, or in two sources and not qualified.
 */
function snowflakeColumnChecks(ast: SfNode[], base: number, catalog: Catalog, ctes: Set<string>): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const stack: Walk[] = [{ node: ast, scopes: [], lambdas: new Set() }];
  const push = (nodes: unknown[], scopes: Level[], lambdas: ReadonlySet<string>, orderBy?: boolean) => {
    for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i] && typeof nodes[i] === 'object') stack.push({ node: nodes[i], scopes, lambdas, ...(orderBy ? { orderBy } : {}) });
  };
  while (stack.length > 0) {
    const { node, scopes, lambdas, orderBy } = stack.pop()!;
    if (Array.isArray(node)) {
      push(node, scopes, lambdas, orderBy);
      continue;
    }
    if (!isObj(node)) continue;
    const select = node.select;
    if (isObj(select)) {
      const inner = [levelOf(select, catalog, ctes), ...scopes];
      // The CTEs of a SELECT do not see its FROM items; everything else in it does.
      const { with: ctesOf, order_by: order, ...rest } = select;
      push(Object.values(rest), inner, lambdas);
      push([order], inner, lambdas, true);
      push([ctesOf], scopes, lambdas);
      continue;
    }
    const lambda = node.lambda;
    if (isObj(lambda)) {
      const params = ((lambda.parameters as unknown[] | undefined) ?? []).map(identOf).filter((p): p is Ident => !!p);
      push([lambda.body], scopes, new Set([...lambdas, ...params.map(resolvedName)]), orderBy);
      continue;
    }
    const column = node.column;
    const name = isObj(column) ? identOf(column.name) : undefined;
    if (isObj(column) && name) {
      const problem = columnProblem(name, identOf(column.table), scopes, lambdas, orderBy === true);
      if (problem) out.push(shifted(problem, base));
      continue;
    }
    const dot = node.dot;
    if (isObj(dot)) {
      // schema.table.column: the "column" under the dot is a table's name.
      if (!(isObj(dot.this) && 'column' in dot.this)) push([dot.this], scopes, lambdas, orderBy);
      continue;
    }
    // A subquery inside ORDER BY has its own SELECT: the flag holds until one starts.
    push(Object.values(node), scopes, lambdas, orderBy);
  }
  return out;
}

function columnProblem(name: Ident, qualifier: Ident | undefined, scopes: Level[], lambdas: ReadonlySet<string>, orderBy: boolean): SqlDiagnostic | undefined {
  const wanted = resolvedName(name);
  if (positionalOrMetadata(name)) return undefined;
  const at = { start: name.start, end: name.end, severity: 'error' as const };
  if (qualifier) {
    const q = resolvedName(qualifier);
    if (lambdas.has(q)) return undefined;
    for (const level of scopes) {
      const source = level.sources.find((s) => s.name === q);
      if (!source) continue;
      if (!source.table || source.table.columns.some((c) => c.name === wanted)) return undefined;
      return misspelt(name, 'unknown-column', `Unknown column "${name.name}" in ${sourceLabel(source.table.name, source.alias)}.`, source.table.columns.map((c) => c.name));
    }
    return undefined; // a qualifier found nowhere: a sequence (s.NEXTVAL), a pattern variable, …
  }
  if (keywordLike(name) || lambdas.has(wanted) || scopes.every((l) => l.sources.length === 0)) return undefined;
  if (orderBy && scopes[0]?.outputs.has(wanted)) return undefined;
  for (const level of scopes) {
    if (level.sources.some((s) => !s.table)) return undefined; // it may come from there
    const having = level.sources.filter((s) => s.table!.columns.some((c) => c.name === wanted));
    if (having.length > 1 && !level.merged) {
      const where = having.map((s) => sourceLabel(s.table!.name, s.alias)).join(' and ');
      return { ...at, code: 'ambiguous-column', message: `Column "${name.name}" is ambiguous: it is in ${where}. Qualify it, e.g. ${having[0]!.label}.${name.name}.` };
    }
    if (having.length > 0) return undefined;
  }
  if (scopes.some((l) => l.aliases.has(wanted))) return undefined;
  const candidates = scopes.flatMap((l) => [...l.sources.flatMap((s) => s.table!.columns.map((c) => c.name)), ...l.aliases]);
  return misspelt(name, 'unknown-column', `Unknown column "${name.name}".`, candidates);
}

/** The SELECT whose columns are the statement's output: a set operation's leftmost arm. */
function outputSelect(ast: SfNode[]): Obj | undefined {
  let node: unknown = ast[0];
  for (let i = 0; i < 10_000 && isObj(node); i++) {
    const [kind] = Object.keys(node);
    const body = node[kind!];
    if (!isObj(body)) return undefined;
    if (kind === 'select') return body;
    // UNION BY NAME: the output is every arm's columns, by name.
    if ((kind === 'union' || kind === 'intersect' || kind === 'except') && !body.by_name) node = body.left;
    else if (kind === 'subquery') node = body.this;
    else return undefined;
  }
  return undefined;
}

interface OutputColumn {
  name: string;
  /** Where it is named; none for a star's columns without a qualifier. */
  span?: { start: number; end: number };
}

/**
 * The output's column names where each is certain: an alias, a column, a star over catalog tables. An
 * expression without an alias is named by Snowflake from its text: the list is then incomplete.
 */
function outputColumns(select: Obj, level: Level): { columns: OutputColumn[]; complete: boolean } {
  const columns: OutputColumn[] = [];
  let complete = true;
  for (const e of (select.expressions as unknown[] | undefined) ?? []) {
    if (!isObj(e)) continue;
    const alias = isObj(e.alias) ? identOf(e.alias.alias) : undefined;
    const column = isObj(e.column) ? identOf(e.column.name) : undefined;
    const named = alias ?? (column && !positionalOrMetadata(column) ? column : undefined);
    if (named) {
      columns.push({ name: resolvedName(named), span: named });
      continue;
    }
    const star = isObj(e.star) ? e.star : undefined;
    const expanded = star && starColumns(star, level);
    if (expanded) columns.push(...expanded);
    else complete = false;
  }
  return { columns, complete };
}

/** The columns a star stands for (EXCLUDE and RENAME applied), when its sources are all known. */
function starColumns(star: Obj, level: Level): OutputColumn[] | undefined {
  const qualifier = identOf(star.table);
  const sources = qualifier ? level.sources.filter((s) => s.name === resolvedName(qualifier)) : level.sources;
  // After JOIN ... USING a star holds the merged columns once: not counted here.
  if (sources.length === 0 || sources.some((s) => !s.table) || star.ilike || (!qualifier && level.merged)) return undefined;
  const excluded = new Set(((star.except as unknown[] | undefined) ?? []).map(identOf).filter((i): i is Ident => !!i).map(resolvedName));
  const renamed = new Map<string, string>();
  for (const pair of (star.rename as unknown[][] | undefined) ?? []) {
    const [from, to] = pair.map(identOf);
    if (from && to) renamed.set(resolvedName(from), resolvedName(to));
  }
  return sources.flatMap((s) =>
    s.table!.columns.filter((c) => !excluded.has(c.name)).map((c) => ({ name: renamed.get(c.name) ?? c.name, ...(qualifier ? { span: qualifier } : {}) })),
  );
}

/**
 * Two output columns of one name (destinations need one per column), and the primary key missing from them.
 * `head` is the statement's first word (absolute offsets), where a problem without a place of its own goes.
 */
function snowflakeOutputChecks(ast: SfNode[], base: number, head: [number, number], catalog: Catalog, primaryKey: string | undefined, ctes: Set<string>): SqlDiagnostic[] {
  const select = outputSelect(ast);
  if (!select) return [];
  const { columns, complete } = outputColumns(select, levelOf(select, catalog, ctes));
  const place = (c: OutputColumn | undefined) => (c?.span ? { start: base + c.span.start, end: base + c.span.end } : { start: head[0], end: head[1] });
  const out: SqlDiagnostic[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) {
      out.push({ ...place(c), severity: 'error', code: 'duplicate-output-column', message: `The output has two columns named "${c.name}": destinations need one name per column. Give one an alias.` });
    }
    seen.add(c.name);
  }
  if (primaryKey && complete && !seen.has(primaryKey)) {
    // Unquoted names are upper case in Snowflake's output: primaryKey "id" never matches a column ID.
    const upper = primaryKey.toUpperCase() !== primaryKey && seen.has(primaryKey.toUpperCase());
    out.push({
      ...place(columns[0]),
      severity: 'error',
      code: 'missing-primary-key',
      message: `The model's primary key "${primaryKey}" is not among the output columns (${columns.map((c) => c.name).join(', ')}).${upper ? ` Snowflake names unquoted columns in upper case: set primaryKey to "${primaryKey.toUpperCase()}".` : ''}`,
    });
  }
  return out;
}

/** Every catalog check of one statement, its CTE names collected once for all of them. */
export function snowflakeCatalogChecks(ast: SfNode[], base: number, head: [number, number], catalog: Catalog, primaryKey: string | undefined): SqlDiagnostic[] {
  const ctes = cteNames(ast);
  return [...snowflakeTableChecks(ast, base, catalog, ctes), ...snowflakeColumnChecks(ast, base, catalog, ctes), ...snowflakeOutputChecks(ast, base, head, catalog, primaryKey, ctes)];
}
