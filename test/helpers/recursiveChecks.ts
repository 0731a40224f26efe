// The recursive catalog checks as they were before the explicit work stacks (server/src/sql/pgSemantics.ts
// and snowflakeTableChecks in analyzeSql.ts at 91aa3b1), frozen as the reference the iterative walks are
// compared with: same problems, same order. Not for deep trees: these overflow the stack, which is why
// they were replaced.
import type { Catalog, CatalogTable } from '../../server/src/warehouse/warehouse';
import { findColumn, findSchema, findTable, hasColumn, suggestion, tablesNamed } from '../../server/src/sql/catalogLookup';
import type { SqlDiagnostic } from '../../server/src/sql/analyzeSql';
import type { SemanticProblem } from '../../server/src/sql/pgSemantics';
import { lexSql } from '../../server/src/sql/sqlLexer';

type Node = Record<string, unknown>;

interface ScopeEntry {
  name: string;
  table?: CatalogTable;
  /** Columns we cannot know (subquery, function, CTE): references to it are not checked. */
  opaque: boolean;
}

interface Level {
  entries: ScopeEntry[];
  /** JOIN ... USING or NATURAL JOIN merges same-named columns: no ambiguity checks at this level. */
  merged: boolean;
  outputNames: Set<string>;
}

const str = (n: unknown): string | undefined => (n as { String?: { sval?: string } })?.String?.sval;

export function checkPgSemanticsRecursive(stmt: Node, catalog: Catalog, primaryKey?: string): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const select = stmt.SelectStmt as Node | undefined;
  if (!select) return problems;
  const output = analyzeSelect(select, [], new Set(), catalog, problems);
  if (output) checkOutput(output, primaryKey, problems, select);
  return problems;
}

interface OutputColumn {
  name: string;
  location: number;
}

/** Returns the output columns when they are certain, else undefined. */
function analyzeSelect(sel: Node, outer: Level[], ctes: Set<string>, catalog: Catalog, problems: SemanticProblem[]): OutputColumn[] | undefined {
  const visible = new Set(ctes);
  const withClause = sel.withClause as { ctes?: Node[] } | undefined;
  for (const cte of withClause?.ctes ?? []) {
    const c = cte.CommonTableExpr as Node;
    const name = String(c.ctename);
    if ((withClause as { recursive?: boolean }).recursive) visible.add(name);
    const q = (c.ctequery as Node | undefined)?.SelectStmt as Node | undefined;
    if (q) analyzeSelect(q, outer, visible, catalog, problems);
    visible.add(name);
  }
  if (sel.op && sel.op !== 'SETOP_NONE') {
    const left = analyzeSelect(sel.larg as Node, outer, visible, catalog, problems);
    analyzeSelect(sel.rarg as Node, outer, visible, catalog, problems);
    return left;
  }
  const level: Level = { entries: [], merged: false, outputNames: new Set() };
  for (const item of (sel.fromClause as Node[] | undefined) ?? []) addFromItem(item, level, outer, visible, catalog, problems);
  const scopes = [level, ...outer];

  const targets = ((sel.targetList as Node[] | undefined) ?? []).map((t) => t.ResTarget as Node);
  for (const t of targets) if (typeof t.name === 'string') level.outputNames.add(t.name);

  const walk = (node: unknown, orderOrGroup: boolean) => walkExpr(node, scopes, orderOrGroup, visible, catalog, problems);
  for (const t of targets) walk(t.val, false);
  walk(sel.whereClause, false);
  walk(sel.havingClause, false);
  walk(sel.groupClause, true);
  walk(sel.sortClause, true);
  walk(sel.distinctClause, false);
  walk(sel.windowClause, false);

  // Output names: certain only when every target has a known name.
  const out: OutputColumn[] = [];
  for (const t of targets) {
    const location = Number(t.location ?? 0);
    if (typeof t.name === 'string') {
      out.push({ name: t.name, location });
      continue;
    }
    const ref = (t.val as Node | undefined)?.ColumnRef as { fields?: unknown[] } | undefined;
    if (!ref?.fields) return undefined;
    const last = ref.fields[ref.fields.length - 1] as Node;
    if ('A_Star' in last) {
      const qualifier = ref.fields.length === 2 ? str(ref.fields[0]) : undefined;
      const entries = qualifier ? level.entries.filter((e) => e.name === qualifier) : level.entries;
      if (entries.length === 0 || entries.some((e) => e.opaque || !e.table)) return undefined;
      for (const e of entries) for (const c of e.table!.columns) out.push({ name: c.name, location });
      continue;
    }
    const name = str(last);
    if (!name) return undefined;
    out.push({ name, location });
  }
  return out;
}

function addFromItem(item: Node, level: Level, outer: Level[], ctes: Set<string>, catalog: Catalog, problems: SemanticProblem[]): void {
  if (item.RangeVar) {
    const rv = item.RangeVar as Node;
    const relname = String(rv.relname);
    const schemaname = rv.schemaname as string | undefined;
    const alias = ((rv.alias as Node | undefined)?.aliasname as string | undefined) ?? relname;
    const location = Number(rv.location ?? 0);
    if (!schemaname && ctes.has(relname)) {
      level.entries.push({ name: alias, opaque: true });
      return;
    }
    if (schemaname) {
      const schema = findSchema(catalog, schemaname);
      if (!schema) {
        problems.push({ location, code: 'unknown-schema', message: `Unknown schema "${schemaname}".${suggestion(schemaname, catalog.schemas.map((s) => s.name))}` });
        level.entries.push({ name: alias, opaque: true });
        return;
      }
      const table = findTable(schema, relname);
      if (!table) {
        problems.push({
          location,
          code: 'unknown-table',
          message: `Unknown table "${schemaname}.${relname}".${suggestion(relname, schema.tables.map((t) => t.name))}`,
        });
        level.entries.push({ name: alias, opaque: true });
        return;
      }
      level.entries.push({ name: alias, table, opaque: false });
      return;
    }
    // Without a schema the search path decides; a name found in no schema at all is certainly wrong.
    const found = tablesNamed(catalog, relname);
    if (found.length === 0) {
      const all = catalog.schemas.flatMap((s) => s.tables.map((t) => t.name));
      problems.push({ location, code: 'unknown-table', message: `Unknown table "${relname}".${suggestion(relname, all)}` });
      level.entries.push({ name: alias, opaque: true });
      return;
    }
    const preferred = found.find((f) => f.schema.name === 'public') ?? (found.length === 1 ? found[0] : undefined);
    level.entries.push(preferred ? { name: alias, table: preferred.table, opaque: false } : { name: alias, opaque: true });
    return;
  }
  if (item.JoinExpr) {
    const j = item.JoinExpr as Node;
    if (j.usingClause || j.isNatural) level.merged = true;
    addFromItem(j.larg as Node, level, outer, ctes, catalog, problems);
    addFromItem(j.rarg as Node, level, outer, ctes, catalog, problems);
    // The ON condition sees the whole level; checked with it.
    walkExpr(j.quals, [level, ...outer], false, ctes, catalog, problems);
    return;
  }
  if (item.RangeSubselect) {
    const rs = item.RangeSubselect as Node;
    const sub = (rs.subquery as Node | undefined)?.SelectStmt as Node | undefined;
    if (sub) analyzeSelect(sub, rs.lateral ? [level, ...outer] : outer, ctes, catalog, problems);
    const alias = (rs.alias as Node | undefined)?.aliasname as string | undefined;
    level.entries.push({ name: alias ?? '', opaque: true });
    return;
  }
  // Functions in FROM, VALUES, XMLTABLE...: their columns are unknown here.
  const alias = ((Object.values(item)[0] as Node | undefined)?.alias as Node | undefined)?.aliasname as string | undefined;
  level.entries.push({ name: alias ?? '', opaque: true });
}

function walkExpr(node: unknown, scopes: Level[], orderOrGroup: boolean, ctes: Set<string>, catalog: Catalog, problems: SemanticProblem[]): void {
  if (Array.isArray(node)) {
    for (const n of node) walkExpr(n, scopes, orderOrGroup, ctes, catalog, problems);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'SelectStmt') {
      // A subquery: its own scope, with ours as the outer one (correlated references).
      analyzeSelect(value as Node, scopes, ctes, catalog, problems);
    } else if (key === 'ColumnRef') {
      checkColumnRef(value as Node, scopes, orderOrGroup, problems);
    } else {
      walkExpr(value, scopes, orderOrGroup, ctes, catalog, problems);
    }
  }
}

function checkColumnRef(ref: Node, scopes: Level[], orderOrGroup: boolean, problems: SemanticProblem[]): void {
  const fields = (ref.fields as unknown[] | undefined) ?? [];
  const location = Number(ref.location ?? 0);
  const names = fields.map(str);
  if (fields.some((f) => f && typeof f === 'object' && 'A_Star' in (f as Node))) {
    if (fields.length === 2 && names[0]) {
      const known = scopes.some((l) => l.entries.some((e) => e.name === names[0] || e.opaque));
      if (!known) problems.push({ location, code: 'unknown-table-reference', message: `"${names[0]}" is not a table or alias in the FROM clause.` });
    }
    return;
  }
  if (names.some((n) => n === undefined)) return;
  if (names.length === 1) {
    const column = names[0]!;
    for (const level of scopes) {
      if (level.entries.some((e) => e.opaque)) return; // it may come from there
      if (level.entries.some((e) => e.name === column)) return; // a whole-row reference
      const having = level.entries.filter((e) => e.table && hasColumn(e.table, column));
      if (having.length > 1 && !level.merged) {
        problems.push({
          location,
          code: 'ambiguous-column',
          message: `Column "${column}" is ambiguous: it is in ${having.map((e) => e.name).join(' and ')}. Qualify it, e.g. ${having[0]!.name}.${column}.`,
        });
        return;
      }
      if (having.length > 0) return;
    }
    if (orderOrGroup && scopes[0]?.outputNames.has(column)) return;
    const candidates = scopes.flatMap((l) => l.entries.flatMap((e) => e.table?.columns.map((c) => c.name) ?? []));
    if (scopes.every((l) => l.entries.length === 0)) return; // no FROM: nothing to check against
    problems.push({ location, code: 'unknown-column', message: `Unknown column "${column}".${suggestion(column, candidates)}` });
    return;
  }
  if (names.length === 2) {
    const [qualifier, column] = names as [string, string];
    for (const level of scopes) {
      const entry = level.entries.find((e) => e.name === qualifier);
      if (!entry) continue;
      if (entry.opaque || !entry.table) return;
      if (!findColumn(entry.table, column)) {
        problems.push({
          location,
          code: 'unknown-column',
          message: `Table "${entry.name}" has no column "${column}".${suggestion(column, entry.table.columns.map((c) => c.name))}`,
        });
      }
      return;
    }
    if (scopes.some((l) => l.entries.some((e) => e.opaque && e.name === ''))) return;
    const aliases = scopes.flatMap((l) => l.entries.map((e) => e.name)).filter(Boolean);
    problems.push({ location, code: 'unknown-table-reference', message: `"${qualifier}" is not a table or alias in the FROM clause.${suggestion(qualifier, aliases)}` });
  }
}

function checkOutput(output: OutputColumn[], primaryKey: string | undefined, problems: SemanticProblem[], select: Node): void {
  const seen = new Map<string, number>();
  for (const col of output) {
    const key = col.name.toLowerCase();
    if (seen.has(key)) {
      problems.push({ location: col.location, code: 'duplicate-output-column', message: `The output has two columns named "${col.name}": destinations need one name per column. Give one an alias.` });
    } else seen.set(key, col.location);
  }
  if (primaryKey && !output.some((c) => c.name === primaryKey || c.name.toLowerCase() === primaryKey.toLowerCase())) {
    const first = ((select.targetList as Node[] | undefined)?.[0]?.ResTarget as Node | undefined)?.location;
    problems.push({
      location: Number(first ?? 0),
      code: 'missing-primary-key',
      message: `The model's primary key "${primaryKey}" is not among the output columns (${output.map((c) => c.name).join(', ')}).`,
    });
  }
}

/** Unknown tables in FROM and JOIN (not CTE names), checked on node-sql-parser's tree. */
export function snowflakeTableChecksRecursive(ast: unknown, text: string, base: number, catalog: Catalog): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const ctes = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
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
    for (const v of Object.values(n)) visit(v);
  };
  visit(ast);
  return out;
}

function findWord(text: string, from: number, word: string): number {
  const upper = word.toUpperCase();
  const hit = lexSql(text.slice(from)).find((t) => t.kind === 'word' && t.text.toUpperCase() === upper);
  return hit ? from + hit.start : from;
}
