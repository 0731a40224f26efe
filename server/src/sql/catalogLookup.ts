// Name lookups in a warehouse catalog, with "did you mean" suggestions. PostgreSQL folds unquoted names
// to lower case and Snowflake to upper case; the parsers hand us folded names, the catalog holds the
// stored ones, so lookups are exact first and case-insensitive second.
import type { Catalog, CatalogSchema, CatalogTable } from '../warehouse/warehouse';

export function findSchema(catalog: Catalog, name: string): CatalogSchema | undefined {
  return catalog.schemas.find((s) => s.name === name) ?? catalog.schemas.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

export function findTable(schema: CatalogSchema, name: string): CatalogTable | undefined {
  return schema.tables.find((t) => t.name === name) ?? schema.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

/** Every table with this name, in any schema (for a name used without its schema). */
export function tablesNamed(catalog: Catalog, name: string): { schema: CatalogSchema; table: CatalogTable }[] {
  const out: { schema: CatalogSchema; table: CatalogTable }[] = [];
  for (const schema of catalog.schemas) {
    const table = findTable(schema, name);
    if (table) out.push({ schema, table });
  }
  return out;
}

export function hasColumn(table: CatalogTable, name: string): boolean {
  return table.columns.some((c) => c.name === name || c.name.toLowerCase() === name.toLowerCase());
}

export function findColumn(table: CatalogTable, name: string) {
  return table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** The closest candidate by edit distance, when it is close enough to be what was meant. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = name.length <= 3 ? 1 : Math.max(2, Math.floor(name.length / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

export function suggestion(name: string, candidates: Iterable<string>): string {
  return hintText(didYouMean(name, candidates));
}

/** The sentence a message ends with when there is a suggestion. */
export function hintText(hint: string | undefined): string {
  return hint ? ` Did you mean "${hint}"?` : '';
}

/**
 * A FROM item as a message names it: the table, and the alias it goes by (`accounts (a)`). The alias
 * alone sends the reader back to the FROM clause to learn which table lacks the column.
 */
export function sourceLabel(table: string, alias: string | undefined): string {
  return alias && alias.toLowerCase() !== table.toLowerCase() ? `${table} (${alias})` : table;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
