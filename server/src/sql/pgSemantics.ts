// Catalog checks on PostgreSQL's own parse tree (libpg-query): unknown schema, table or column with a
// suggestion, ambiguous columns, duplicate output names, a primary key missing from the output. The rule
// is no false error: whatever cannot be resolved for sure (a subquery's columns, a function in FROM, a
// CTE) makes the checks around it stand down instead of guessing.
import type { Catalog, CatalogTable } from '../warehouse/warehouse';
import { didYouMean, findColumn, findSchema, findTable, hasColumn, hintText, sourceLabel, tablesNamed } from './catalogLookup';

export interface SemanticProblem {
  /** Byte offset in the statement text, as libpg-query reports locations. */
  location: number;
  message: string;
  code: string;
  fix?: PgFix;
}

/** A "did you mean" as analyzeSql turns it into an edit: which part of the dotted name is misspelt. */
export interface PgFix {
  /** The name as the parser read it (unquoted names folded to lower case). */
  wrong: string;
  /** The suggestion, as the catalog (or the FROM clause) holds it. */
  name: string;
  /** Which part of the dotted name, from 0 (negative: from the end), and how many parts it has. */
  part: number;
  parts: number;
}

/** The message's "Did you mean" and, when there is one, its fix. */
function hint(wrong: string, candidates: Iterable<string>, part: number, parts: number): { text: string; fix?: PgFix } {
  const name = didYouMean(wrong, candidates);
  return name ? { text: hintText(name), fix: { wrong, name, part, parts } } : { text: '' };
}

type Node = Record<string, unknown>;

interface ScopeEntry {
  name: string;
  table?: CatalogTable;
  /** The alias it was given in FROM, if any: messages name the table and the alias. */
  alias?: string;
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

interface OutputColumn {
  name: string;
  location: number;
}

/** Where the statement's output columns land: only the leftmost arm of a set operation fills it. */
interface OutputHolder {
  columns?: OutputColumn[];
}

/** What an expression is checked against: the levels it sees, innermost first. */
interface ExprContext {
  scopes: Level[];
  orderOrGroup: boolean;
  ctes: Set<string>;
}

/**
 * One step of the walk. The tree is walked with an explicit stack, not recursion: a parse tree of any
 * depth (nested subqueries, long UNION ALL chains, deep JOINs or expressions) cannot overflow the
 * JavaScript stack. Each step returns its sub-steps in source order and they run before anything queued
 * earlier, so problems come out in the order a depth-first reading of the query finds them, and scope
 * state (the FROM items added so far, a USING join's merge) is what it is at that point of the reading.
 */
type Task =
  /** A SELECT (or set operation): its CTEs and FROM items; `body` finishes it. */
  | { kind: 'select'; sel: Node; outer: Level[]; ctes: Set<string>; output?: OutputHolder }
  /** A CTE's name becomes visible to what follows it (and to itself, WITH RECURSIVE). */
  | { kind: 'cteName'; visible: Set<string>; name: string }
  | { kind: 'from'; item: Node; level: Level; outer: Level[]; ctes: Set<string> }
  /** A subquery in FROM joins its level only after it was checked, so a LATERAL one does not see itself. */
  | { kind: 'entry'; level: Level; entry: ScopeEntry }
  /** A SELECT once its FROM items are in its level: target list, WHERE, ... and its output columns. */
  | { kind: 'body'; sel: Node; level: Level; outer: Level[]; ctes: Set<string>; output?: OutputHolder }
  | { kind: 'expr'; node: object; cx: ExprContext }
  | { kind: 'columnRef'; ref: Node; cx: ExprContext };

export function checkPgSemantics(stmt: Node, catalog: Catalog, primaryKey?: string): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const select = stmt.SelectStmt as Node | undefined;
  if (!select) return problems;
  const output: OutputHolder = {};
  const stack: Task[] = [{ kind: 'select', sel: select, outer: [], ctes: new Set(), output }];
  while (stack.length > 0) {
    const next = step(stack.pop()!, catalog, problems);
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
  if (output.columns) checkOutput(output.columns, primaryKey, problems, select);
  return problems;
}

/** Does one task and returns the ones it leads to, in the order they must run. */
function step(task: Task, catalog: Catalog, problems: SemanticProblem[]): Task[] {
  switch (task.kind) {
    case 'select':
      return selectTasks(task.sel, task.outer, task.ctes, task.output);
    case 'cteName':
      task.visible.add(task.name);
      return [];
    case 'from':
      return addFromItem(task.item, task.level, task.outer, task.ctes, catalog, problems);
    case 'entry':
      task.level.entries.push(task.entry);
      return [];
    case 'body':
      return selectBody(task.sel, task.level, task.outer, task.ctes, task.output);
    case 'expr':
      return walkExpr(task.node, task.cx);
    case 'columnRef':
      checkColumnRef(task.ref, task.cx.scopes, task.cx.orderOrGroup, problems);
      return [];
  }
}

function selectTasks(sel: Node, outer: Level[], ctes: Set<string>, output: OutputHolder | undefined): Task[] {
  // A copy: the names this SELECT's CTEs add are not visible outside it.
  const visible = new Set(ctes);
  const tasks: Task[] = [];
  const withClause = sel.withClause as { ctes?: Node[] } | undefined;
  for (const cte of withClause?.ctes ?? []) {
    const c = cte.CommonTableExpr as Node;
    const name = String(c.ctename);
    if ((withClause as { recursive?: boolean }).recursive) tasks.push({ kind: 'cteName', visible, name });
    const q = (c.ctequery as Node | undefined)?.SelectStmt as Node | undefined;
    if (q) tasks.push({ kind: 'select', sel: q, outer, ctes: visible });
    tasks.push({ kind: 'cteName', visible, name });
  }
  if (sel.op && sel.op !== 'SETOP_NONE') {
    // The output columns of a set operation are those of its left arm, down to the leftmost SELECT.
    tasks.push({ kind: 'select', sel: sel.larg as Node, outer, ctes: visible, output });
    tasks.push({ kind: 'select', sel: sel.rarg as Node, outer, ctes: visible });
    return tasks;
  }
  const level: Level = { entries: [], merged: false, outputNames: new Set() };
  for (const item of (sel.fromClause as Node[] | undefined) ?? []) tasks.push({ kind: 'from', item, level, outer, ctes: visible });
  tasks.push({ kind: 'body', sel, level, outer, ctes: visible, output });
  return tasks;
}

function selectBody(sel: Node, level: Level, outer: Level[], ctes: Set<string>, output: OutputHolder | undefined): Task[] {
  const scopes = [level, ...outer];
  const targets = ((sel.targetList as Node[] | undefined) ?? []).map((t) => t.ResTarget as Node);
  for (const t of targets) if (typeof t.name === 'string') level.outputNames.add(t.name);
  // The FROM items are all in `level` by now and nothing below adds to it.
  if (output) output.columns = outputColumns(targets, level);

  const cx: ExprContext = { scopes, orderOrGroup: false, ctes };
  const orderOrGroup: ExprContext = { scopes, orderOrGroup: true, ctes };
  const tasks: Task[] = [];
  const walk = (node: unknown, context: ExprContext) => {
    if (node !== null && typeof node === 'object') tasks.push({ kind: 'expr', node, cx: context });
  };
  for (const t of targets) walk(t.val, cx);
  walk(sel.whereClause, cx);
  walk(sel.havingClause, cx);
  walk(sel.groupClause, orderOrGroup);
  walk(sel.sortClause, orderOrGroup);
  walk(sel.distinctClause, cx);
  walk(sel.windowClause, cx);
  return tasks;
}

/** Output names: certain only when every target has a known name; else undefined. */
function outputColumns(targets: Node[], level: Level): OutputColumn[] | undefined {
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

function addFromItem(item: Node, level: Level, outer: Level[], ctes: Set<string>, catalog: Catalog, problems: SemanticProblem[]): Task[] {
  if (item.RangeVar) {
    const rv = item.RangeVar as Node;
    const relname = String(rv.relname);
    const schemaname = rv.schemaname as string | undefined;
    const given = (rv.alias as Node | undefined)?.aliasname as string | undefined;
    const alias = given ?? relname;
    const location = Number(rv.location ?? 0);
    // db.schema.table: the dotted name a fix counts parts in.
    const parts = (rv.catalogname ? 1 : 0) + (schemaname ? 2 : 1);
    if (!schemaname && ctes.has(relname)) {
      level.entries.push({ name: alias, opaque: true });
      return [];
    }
    if (schemaname) {
      const schema = findSchema(catalog, schemaname);
      if (!schema) {
        const h = hint(schemaname, catalog.schemas.map((s) => s.name), -2, parts);
        problems.push({ location, code: 'unknown-schema', message: `Unknown schema "${schemaname}".${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
        level.entries.push({ name: alias, opaque: true });
        return [];
      }
      const table = findTable(schema, relname);
      if (!table) {
        const h = hint(relname, schema.tables.map((t) => t.name), -1, parts);
        problems.push({ location, code: 'unknown-table', message: `Unknown table "${schemaname}.${relname}".${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
        level.entries.push({ name: alias, opaque: true });
        return [];
      }
      level.entries.push({ name: alias, table, opaque: false, ...(given ? { alias: given } : {}) });
      return [];
    }
    // Without a schema the search path decides; a name found in no schema at all is certainly wrong.
    const found = tablesNamed(catalog, relname);
    if (found.length === 0) {
      const h = hint(relname, catalog.schemas.flatMap((s) => s.tables.map((t) => t.name)), -1, parts);
      problems.push({ location, code: 'unknown-table', message: `Unknown table "${relname}".${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
      level.entries.push({ name: alias, opaque: true });
      return [];
    }
    const preferred = found.find((f) => f.schema.name === 'public') ?? (found.length === 1 ? found[0] : undefined);
    level.entries.push(preferred ? { name: alias, table: preferred.table, opaque: false, ...(given ? { alias: given } : {}) } : { name: alias, opaque: true });
    return [];
  }
  if (item.JoinExpr) {
    const j = item.JoinExpr as Node;
    // Before either side is read: the merge holds for the whole level, nested joins' ON conditions too.
    if (j.usingClause || j.isNatural) level.merged = true;
    const tasks: Task[] = [
      { kind: 'from', item: j.larg as Node, level, outer, ctes },
      { kind: 'from', item: j.rarg as Node, level, outer, ctes },
    ];
    // The ON condition sees the whole level; checked with it.
    if (j.quals !== null && typeof j.quals === 'object') tasks.push({ kind: 'expr', node: j.quals, cx: { scopes: [level, ...outer], orderOrGroup: false, ctes } });
    return tasks;
  }
  if (item.RangeSubselect) {
    const rs = item.RangeSubselect as Node;
    const sub = (rs.subquery as Node | undefined)?.SelectStmt as Node | undefined;
    const alias = (rs.alias as Node | undefined)?.aliasname as string | undefined;
    const entry: Task = { kind: 'entry', level, entry: { name: alias ?? '', opaque: true } };
    return sub ? [{ kind: 'select', sel: sub, outer: rs.lateral ? [level, ...outer] : outer, ctes }, entry] : [entry];
  }
  // Functions in FROM, VALUES, XMLTABLE...: their columns are unknown here.
  const alias = ((Object.values(item)[0] as Node | undefined)?.alias as Node | undefined)?.aliasname as string | undefined;
  level.entries.push({ name: alias ?? '', opaque: true });
  return [];
}

/** One node of an expression: what is under it, in source order (scalars hold nothing to check). */
function walkExpr(node: object, cx: ExprContext): Task[] {
  const tasks: Task[] = [];
  const under = (value: unknown) => {
    if (value !== null && typeof value === 'object') tasks.push({ kind: 'expr', node: value, cx });
  };
  if (Array.isArray(node)) {
    for (const n of node) under(n);
    return tasks;
  }
  for (const [key, value] of Object.entries(node)) {
    // A subquery: its own scope, with ours as the outer one (correlated references).
    if (key === 'SelectStmt') tasks.push({ kind: 'select', sel: value as Node, outer: cx.scopes, ctes: cx.ctes });
    else if (key === 'ColumnRef') tasks.push({ kind: 'columnRef', ref: value as Node, cx });
    else under(value);
  }
  return tasks;
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
          message: `Column "${column}" is ambiguous: it is in ${having.map((e) => sourceLabel(e.table!.name, e.alias)).join(' and ')}. Qualify it, e.g. ${having[0]!.name}.${column}.`,
        });
        return;
      }
      if (having.length > 0) return;
    }
    if (orderOrGroup && scopes[0]?.outputNames.has(column)) return;
    const candidates = scopes.flatMap((l) => l.entries.flatMap((e) => e.table?.columns.map((c) => c.name) ?? []));
    if (scopes.every((l) => l.entries.length === 0)) return; // no FROM: nothing to check against
    const h = hint(column, candidates, 0, 1);
    problems.push({ location, code: 'unknown-column', message: `Unknown column "${column}".${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
    return;
  }
  if (names.length === 2) {
    const [qualifier, column] = names as [string, string];
    for (const level of scopes) {
      const entry = level.entries.find((e) => e.name === qualifier);
      if (!entry) continue;
      if (entry.opaque || !entry.table) return;
      if (!findColumn(entry.table, column)) {
        const h = hint(column, entry.table.columns.map((c) => c.name), 1, 2);
        // The table by its name, the alias beside it: `Table "accounts" (a)`; with no alias, as before.
        const table = entry.alias && entry.alias.toLowerCase() !== entry.table.name.toLowerCase() ? `"${entry.table.name}" (${entry.alias})` : `"${entry.name}"`;
        problems.push({ location, code: 'unknown-column', message: `Table ${table} has no column "${column}".${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
      }
      return;
    }
    if (scopes.some((l) => l.entries.some((e) => e.opaque && e.name === ''))) return;
    const aliases = scopes.flatMap((l) => l.entries.map((e) => e.name)).filter(Boolean);
    const h = hint(qualifier, aliases, 0, 2);
    problems.push({ location, code: 'unknown-table-reference', message: `"${qualifier}" is not a table or alias in the FROM clause.${h.text}`, ...(h.fix ? { fix: h.fix } : {}) });
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
