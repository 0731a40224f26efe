// SQL and result shaping shared by the PostgreSQL adapter (pg) and the demo warehouse (PGlite), which
// speak the same dialect and have the same catalog.
import type { PreviewColumn } from '../../../../protocol/src/preview';
import type { Catalog, CatalogSchema } from '../warehouse';

export const SCHEMAS_SQL = `
SELECT n.nspname AS schema
FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND has_schema_privilege(n.oid, 'USAGE')
ORDER BY 1`;

/** Tables and views the user may read, with their columns, comments and row estimates. */
export const CATALOG_SQL = `
SELECT n.nspname AS schema, c.relname AS "table", c.relkind AS kind,
       obj_description(c.oid, 'pg_class') AS comment, c.reltuples::float8 AS estimate,
       a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname, a.attnum`;

/** Schemas whose tables the user cannot read: the ones the remediation grants. */
export const UNREADABLE_SCHEMAS_SQL = `
SELECT DISTINCT n.nspname AS schema
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND (NOT has_schema_privilege(n.oid, 'USAGE') OR NOT has_table_privilege(c.oid, 'SELECT'))
ORDER BY 1`;

export interface CatalogRow {
  schema: string;
  table: string;
  kind: string;
  comment: string | null;
  estimate: number | string | null;
  column: string;
  type: string;
  nullable: boolean;
}

export function buildCatalog(schemaNames: string[], rows: CatalogRow[]): Catalog {
  const schemas = new Map<string, CatalogSchema>(schemaNames.map((name) => [name, { name, tables: [] }]));
  for (const r of rows) {
    let schema = schemas.get(r.schema);
    if (!schema) schemas.set(r.schema, (schema = { name: r.schema, tables: [] }));
    let table = schema.tables[schema.tables.length - 1];
    if (!table || table.name !== r.table) {
      const estimate = r.estimate === null ? undefined : Number(r.estimate);
      table = {
        name: r.table,
        kind: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table',
        ...(r.comment ? { comment: r.comment } : {}),
        ...(estimate !== undefined && estimate >= 0 ? { rowEstimate: estimate } : {}),
        columns: [],
      };
      schema.tables.push(table);
    }
    table.columns.push({ name: r.column, type: r.type, nullable: r.nullable });
  }
  return { schemas: [...schemas.values()], fetchedAt: new Date().toISOString() };
}

/**
 * Type names for result columns, in order, from their OIDs and modifiers. `unusable`: no column of a
 * table of this session can have the type (a pseudo-type such as record, or a type or schema the role may
 * not use); `builtin`: the type (an array's element type) is PostgreSQL's own, the same in every database.
 */
export const COLUMN_TYPES_SQL = `
SELECT format_type(t.oid, t.mod) AS type,
       coalesce((SELECT p.typtype = 'p' OR NOT has_type_privilege(p.oid, 'USAGE') OR NOT has_schema_privilege(p.typnamespace, 'USAGE')
                 FROM pg_type p WHERE p.oid = t.oid), true) AS unusable,
       coalesce((SELECT e.typnamespace = 'pg_catalog'::regnamespace AND e.typtype IN ('b', 'r', 'm')
                 FROM pg_type p JOIN pg_type e ON e.oid = CASE WHEN p.typcategory = 'A' AND p.typelem <> 0 THEN p.typelem ELSE p.oid END
                 WHERE p.oid = t.oid), false) AS builtin
FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, mod, i)
ORDER BY t.i`;

export function columnsFrom(fields: { name: string }[], types: string[]): PreviewColumn[] {
  return fields.map((f, i) => ({ name: f.name, type: types[i] ?? 'unknown' }));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A throwaway table name for the state-schema check. */
export function probeTableName(): string {
  return `retl_check_${Math.random().toString(36).slice(2, 10)}`;
}

export function stateSchemaRemediation(schema: string, user: string): string {
  const s = quoteIdent(schema);
  const u = quoteIdent(user);
  return `CREATE SCHEMA IF NOT EXISTS ${s};\nGRANT USAGE, CREATE ON SCHEMA ${s} TO ${u};`;
}

export function readGrantsRemediation(schemas: string[], user: string): string {
  const u = quoteIdent(user);
  const list = schemas.length > 0 ? schemas : ['public'];
  return list
    .map((name) => {
      const s = quoteIdent(name);
      return `GRANT USAGE ON SCHEMA ${s} TO ${u};\nGRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${u};\nALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${u};`;
    })
    .join('\n');
}
