// Completion and hover for model SQL. Text being typed rarely parses, so the scope (which tables the
// statement reads, under which aliases) comes from the token stream of the statement under the cursor:
// FROM/JOIN followed by a (schema-qualified) name and an optional alias.
import type { Catalog, CatalogColumn, CatalogTable } from '../warehouse/warehouse';
import { findColumn, findSchema, findTable, tablesNamed } from './catalogLookup';
import { lexSql, statementRanges, type Token } from './sqlLexer';

export type CompletionKind = 'keyword' | 'schema' | 'table' | 'column';

export interface SqlCompletion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Sorts columns before tables before keywords. */
  sortText: string;
}

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'JOIN', 'LEFT JOIN', 'INNER JOIN', 'CROSS JOIN', 'ON', 'USING', 'GROUP BY', 'ORDER BY', 'HAVING',
  'LIMIT', 'OFFSET', 'WITH', 'AS', 'AND', 'OR', 'NOT', 'IN', 'EXISTS', 'BETWEEN', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL',
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'DISTINCT', 'UNION ALL', 'OVER', 'PARTITION BY', 'COALESCE', 'CAST', 'COUNT', 'SUM',
  'MIN', 'MAX', 'AVG', 'QUALIFY', 'LATERAL',
];

interface InScope {
  alias: string;
  schema?: string;
  table: CatalogTable;
}

const FROM_WORDS = new Set(['FROM', 'JOIN']);
const STOP_WORDS = new Set(['WHERE', 'ON', 'USING', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS', 'UNION', 'QUALIFY', 'WINDOW', 'OFFSET', 'FETCH', 'NATURAL', 'LATERAL', 'SELECT', 'EXCEPT', 'INTERSECT', 'MINUS', 'SAMPLE', 'TABLESAMPLE', 'AS']);

function unquote(t: string): string {
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

function isName(t: Token | undefined): boolean {
  return !!t && (t.kind === 'word' || t.text.startsWith('"'));
}

/** The tables a statement reads, from its tokens. */
export function tablesInScope(tokens: Token[], catalog: Catalog): InScope[] {
  const out: InScope[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !FROM_WORDS.has(t.text.toUpperCase())) continue;
    let j = i + 1;
    // FROM a, b c, schema.d AS e
    for (;;) {
      if (!isName(tokens[j])) break;
      const parts = [unquote(tokens[j]!.text)];
      j++;
      while (tokens[j]?.text === '.' && isName(tokens[j + 1])) {
        parts.push(unquote(tokens[j + 1]!.text));
        j += 2;
      }
      let alias: string | undefined;
      if (tokens[j]?.kind === 'word' && tokens[j]!.text.toUpperCase() === 'AS' && isName(tokens[j + 1])) {
        alias = unquote(tokens[j + 1]!.text);
        j += 2;
      } else if (isName(tokens[j]) && !STOP_WORDS.has(tokens[j]!.text.toUpperCase())) {
        alias = unquote(tokens[j]!.text);
        j++;
      }
      const tableName = parts[parts.length - 1]!;
      const schemaName = parts.length >= 2 ? parts[parts.length - 2] : undefined;
      const schema = schemaName ? findSchema(catalog, schemaName) : undefined;
      const found = schema ? findTable(schema, tableName) : schemaName ? undefined : tablesNamed(catalog, tableName)[0]?.table;
      if (found) out.push({ alias: alias ?? tableName, ...(schemaName ? { schema: schemaName } : {}), table: found });
      if (tokens[j]?.text !== ',') break;
      j++;
    }
  }
  return out;
}

function columnItem(c: CatalogColumn, table: string, sort: string): SqlCompletion {
  return { label: c.name, kind: 'column', detail: `${c.type}${c.nullable ? '' : ' not null'} · ${table}`, sortText: `${sort}${c.name}` };
}

function tableItem(schema: string, t: CatalogTable, qualify: boolean): SqlCompletion {
  return {
    label: qualify ? `${schema}.${t.name}` : t.name,
    kind: 'table',
    detail: `${t.kind} in ${schema}${t.rowEstimate !== undefined ? ` · ~${Math.round(t.rowEstimate).toLocaleString('en-US')} rows` : ''}`,
    ...(t.comment ? { documentation: t.comment } : {}),
    sortText: `2${t.name}`,
  };
}

/** The statement holding `offset` and its tokens. */
function statementAt(text: string, offset: number): Token[] {
  const ranges = statementRanges(text);
  const hit = ranges.find((r) => offset >= r.start && offset <= r.end + 1) ?? ranges.filter((r) => r.start <= offset).pop();
  return hit ? hit.tokens : [];
}

export function completeSql(text: string, offset: number, catalog: Catalog | undefined): SqlCompletion[] {
  const keywords = KEYWORDS.map((k) => ({ label: k, kind: 'keyword' as const, sortText: `9${k}` }));
  if (!catalog) return keywords;
  const tokens = statementAt(text, offset);
  const before = tokens.filter((t) => t.end <= offset);
  let last = before[before.length - 1];
  // A word being typed right at the cursor is the prefix, not context.
  if (last && last.end === offset && last.kind === 'word') {
    before.pop();
    last = before[before.length - 1];
  }
  if (last?.text === '.') {
    const qualifier = before[before.length - 2];
    if (qualifier && isName(qualifier)) {
      const q = unquote(qualifier.text);
      const scope = tablesInScope(tokens, catalog).find((s) => s.alias === q || s.alias.toLowerCase() === q.toLowerCase());
      if (scope) return scope.table.columns.map((c) => columnItem(c, scope.alias, '0'));
      const schema = findSchema(catalog, q);
      if (schema) return schema.tables.map((t) => tableItem(schema.name, t, false));
      return [];
    }
  }
  const previousWord = [...before].reverse().find((t) => t.kind === 'word');
  if (previousWord && FROM_WORDS.has(previousWord.text.toUpperCase()) && previousWord === last) {
    return [
      ...catalog.schemas.map((s) => ({ label: s.name, kind: 'schema' as const, detail: `schema · ${s.tables.length} tables`, sortText: `1${s.name}` })),
      ...catalog.schemas.flatMap((s) => s.tables.map((t) => tableItem(s.name, t, s.name !== 'public' && s.name !== 'PUBLIC'))),
    ];
  }
  const scope = tablesInScope(tokens, catalog);
  const columns = scope.flatMap((s) => s.table.columns.map((c) => columnItem(c, s.alias, '0')));
  const tables = catalog.schemas.flatMap((s) => s.tables.map((t) => tableItem(s.name, t, s.name !== 'public' && s.name !== 'PUBLIC')));
  return [...columns, ...tables, ...keywords];
}

export interface SqlHover {
  start: number;
  end: number;
  markdown: string;
}

export function hoverSql(text: string, offset: number, catalog: Catalog | undefined): SqlHover | undefined {
  if (!catalog) return undefined;
  const tokens = statementAt(text, offset);
  const index = tokens.findIndex((t) => offset >= t.start && offset <= t.end && isName(t));
  if (index < 0) return undefined;
  const token = tokens[index]!;
  const name = unquote(token.text);
  const range = { start: token.start, end: token.end };
  const scope = tablesInScope(tokens, catalog);
  const qualifier = tokens[index - 1]?.text === '.' && isName(tokens[index - 2]) ? unquote(tokens[index - 2]!.text) : undefined;

  const describeColumn = (table: CatalogTable, alias: string) => {
    const c = findColumn(table, name)!;
    return { ...range, markdown: `**${c.name}** \`${c.type}\`${c.nullable ? ' · nullable' : ' · not null'}\n\ncolumn of \`${table.name}\`${alias !== table.name ? ` (as \`${alias}\`)` : ''}` };
  };
  const describeTable = (schema: string, t: CatalogTable) => ({
    ...range,
    markdown: `**${schema}.${t.name}** (${t.kind})${t.rowEstimate !== undefined ? ` · ~${Math.round(t.rowEstimate).toLocaleString('en-US')} rows` : ''}${t.comment ? `\n\n${t.comment}` : ''}\n\n${t.columns.length} columns: ${t.columns.slice(0, 12).map((c) => c.name).join(', ')}${t.columns.length > 12 ? ', …' : ''}`,
  });

  if (qualifier) {
    const s = scope.find((x) => x.alias === qualifier || x.alias.toLowerCase() === qualifier.toLowerCase());
    if (s && findColumn(s.table, name)) return describeColumn(s.table, s.alias);
    const schema = findSchema(catalog, qualifier);
    const t = schema ? findTable(schema, name) : undefined;
    if (schema && t) return describeTable(schema.name, t);
    return undefined;
  }
  const alias = scope.find((s) => s.alias === name);
  if (alias) {
    const owner = catalog.schemas.find((s) => s.tables.includes(alias.table));
    return describeTable(owner?.name ?? '', alias.table);
  }
  const withColumn = scope.filter((s) => findColumn(s.table, name));
  if (withColumn.length === 1) return describeColumn(withColumn[0]!.table, withColumn[0]!.alias);
  const named = tablesNamed(catalog, name)[0];
  if (named) return describeTable(named.schema.name, named.table);
  const schema = findSchema(catalog, name);
  if (schema) return { ...range, markdown: `**${schema.name}** (schema) · ${schema.tables.length} tables` };
  return undefined;
}

