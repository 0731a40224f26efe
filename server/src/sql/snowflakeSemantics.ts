// Catalog checks of Snowflake models on polyglot's tree, with Snowflake's case rules (an unquoted name is
// the upper-cased one, a quoted name only itself). No false Error: a name is judged only where every
// source it could come from is known (a catalog table); subqueries, CTEs, table functions, another
// database's tables are not looked into. Explicit stacks: no tree depth overflows.
import type { Catalog, CatalogTable } from '../warehouse/warehouse';
import type { SqlDiagnostic } from './analyzeSql';
import { suggestion } from './catalogLookup';
import { identOf, resolvedName, type Ident, type SfNode } from './snowflakeParser';

/** Unknown tables in FROM and JOIN (not CTE names); a database-qualified name or one in a schema the catalog does not hold is not judged. */
export function snowflakeTableChecks(ast: SfNode[], base: number, catalog: Catalog): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const ctes = new Set<string>();
  const tables: { name: Ident; schema?: Ident; database?: Ident }[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const n = node as Record<string, unknown>;
    for (const cte of ((n.with as { ctes?: { alias?: unknown }[] } | undefined)?.ctes ?? [])) {
      const alias = identOf(cte.alias);
      if (alias) ctes.add(resolvedName(alias));
    }
    // A table reference's name is an identifier node; a column's `table` qualifier is one itself.
    const ref = n.table as { name?: unknown; schema?: unknown; catalog?: unknown } | undefined;
    const name = ref && typeof ref.name === 'object' ? identOf(ref.name) : undefined;
    if (name) tables.push({ name, ...(identOf(ref!.schema) ? { schema: identOf(ref!.schema)! } : {}), ...(identOf(ref!.catalog) ? { database: identOf(ref!.catalog)! } : {}) });
    const children = Object.values(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  const all = catalog.schemas.flatMap((s) => s.tables.map((t) => t.name));
  for (const t of tables) {
    const wanted = resolvedName(t.name);
    if (t.database || (!t.schema && ctes.has(wanted))) continue;
    const schemas = t.schema ? catalog.schemas.filter((s) => s.name === resolvedName(t.schema!)) : catalog.schemas;
    if (t.schema && schemas.length === 0) continue; // a schema this catalog does not hold
    if (schemas.some((s) => s.tables.some((x) => x.name === wanted))) continue;
    out.push({ start: base + t.name.start, end: base + t.name.end, severity: 'error', code: 'unknown-table', message: `Unknown table "${t.name.name}".${suggestion(wanted, all)}` });
  }
  return out;
}

/** The catalog table a FROM item names, when it is one for sure (no database, a schema the catalog holds). */
function catalogTable(catalog: Catalog, ref: { name?: unknown; schema?: unknown; catalog?: unknown }): CatalogTable | undefined {
  const name = typeof ref.name === 'object' ? identOf(ref.name) : undefined;
  if (!name || identOf(ref.catalog)) return undefined;
  const schema = identOf(ref.schema);
  const schemas = schema ? catalog.schemas.filter((s) => s.name === resolvedName(schema)) : catalog.schemas;
  const found = schemas.flatMap((s) => s.tables.filter((t) => t.name === resolvedName(name)));
  // A source with no listed columns (a stream) has columns this catalog does not know.
  return found.length === 1 && found[0]!.columns.length > 0 ? found[0] : undefined;
}

interface Scope {
  /** Alias (as resolved) → the catalog table, or undefined for a source whose columns are not known here. */
  sources: Map<string, CatalogTable | undefined>;
  parent: Scope | undefined;
}

/** The sources of one SELECT's FROM and JOINs, by the name a column is qualified with. */
function scopeOf(select: Record<string, unknown>, catalog: Catalog, parent: Scope | undefined, ctes: Set<string>): Scope {
  const sources = new Map<string, CatalogTable | undefined>();
  const items = [
    ...(((select.from as { expressions?: unknown[] } | undefined)?.expressions) ?? []),
    ...(((select.joins as { this?: unknown }[] | undefined) ?? []).map((j) => j.this)),
  ];
  for (const item of items) {
    const node = item as Record<string, unknown> | null;
    if (!node || typeof node !== 'object') continue;
    const [kind] = Object.keys(node);
    const body = node[kind!] as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') continue;
    const alias = typeof body.alias === 'string' ? { name: body.alias, quoted: false, start: 0, end: 0 } : identOf(body.alias);
    if (kind === 'table') {
      const name = typeof body.name === 'object' ? identOf(body.name) : undefined;
      const key = alias ?? name;
      if (!key) continue;
      // A CTE of that name shadows the catalog table, with an alias or without (dbt models do both).
      const isCte = !!name && !identOf(body.schema) && ctes.has(resolvedName(name));
      sources.set(resolvedName(key), isCte ? undefined : catalogTable(catalog, body));
    } else if (alias) sources.set(resolvedName(alias), undefined);
  }
  return { sources, parent };
}

/**
 * Columns qualified with an alias of a catalog table that the table does not have ("u.EMIAL"), with the
 * nearest name. The qualifier is looked up from the innermost SELECT outwards (correlated subqueries);
 * one found nowhere, or naming a source whose columns are not known, is not judged.
 */
export function snowflakeColumnChecks(ast: SfNode[], base: number, catalog: Catalog): SqlDiagnostic[] {
  const out: SqlDiagnostic[] = [];
  const ctes = new Set<string>();
  const walk: unknown[] = [ast];
  while (walk.length > 0) {
    const node = walk.pop();
    if (Array.isArray(node)) walk.push(...node);
    else if (node && typeof node === 'object') {
      for (const cte of ((node as { with?: { ctes?: { alias?: unknown }[] } }).with?.ctes ?? [])) {
        const alias = identOf(cte.alias);
        if (alias) ctes.add(resolvedName(alias));
      }
      walk.push(...Object.values(node));
    }
  }
  const stack: { node: unknown; scope: Scope | undefined }[] = [{ node: ast, scope: undefined }];
  while (stack.length > 0) {
    const { node, scope } = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], scope });
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const n = node as Record<string, unknown>;
    const select = n.select as Record<string, unknown> | undefined;
    const inner = select && typeof select === 'object' ? scopeOf(select, catalog, scope, ctes) : scope;
    const column = n.column as { name?: unknown; table?: unknown } | undefined;
    const name = column ? identOf(column.name) : undefined;
    const qualifier = column ? identOf(column.table) : undefined;
    // $1 positions, and METADATA$ACTION and the like, which CHANGES, streams and stages add to any source.
    if (name && qualifier && inner && !name.name.startsWith('$') && !/^METADATA\$/i.test(name.name)) {
      let s: Scope | undefined = inner;
      while (s && !s.sources.has(resolvedName(qualifier))) s = s.parent;
      const table = s?.sources.get(resolvedName(qualifier));
      if (table && !table.columns.some((c) => c.name === resolvedName(name))) {
        out.push({
          start: base + name.start,
          end: base + name.end,
          severity: 'error',
          code: 'unknown-column',
          message: `Unknown column "${name.name}" in ${table.name} (as ${qualifier.name}).${suggestion(resolvedName(name), table.columns.map((c) => c.name))}`,
        });
      }
    }
    const children = Object.values(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], scope: inner });
  }
  return out;
}
