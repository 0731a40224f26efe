import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Catalog } from '../../server/src/warehouse/warehouse';

export const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/sql');

/** The test catalog (test/fixtures/sql/catalog.json) for one dialect. */
export function fixtureCatalog(dialect: 'postgres' | 'snowflake'): Catalog {
  const raw = JSON.parse(readFileSync(path.join(FIXTURES, 'catalog.json'), 'utf8')) as Record<string, Record<string, Record<string, string[]>>>;
  const schemas = Object.entries(raw[dialect]!).map(([name, tables]) => ({
    name,
    tables: Object.entries(tables).map(([t, cols]) => ({
      name: t,
      kind: 'table' as const,
      comment: `${t} (test catalog)`,
      rowEstimate: 1000,
      columns: cols.map((c) => {
        const [n, ...type] = c.split(' ');
        return { name: n!, type: type.join(' '), nullable: true };
      }),
    })),
  }));
  return { schemas, fetchedAt: new Date(0).toISOString() };
}

/** The queries of a corpus file, split at "-- ----" lines. */
export function corpus(file: string): string[] {
  return readFileSync(path.join(FIXTURES, file), 'utf8').split(/^-- ----\n/m).map((q) => q.trim() + '\n').filter((q) => q.trim());
}

/** "-- expect LINE CODE" at the top of an invalid query. */
export function expectation(query: string): { line: number; code: string } {
  const m = /^-- expect (\d+) (\S+)/.exec(query);
  if (!m) throw new Error(`no expectation in: ${query}`);
  return { line: Number(m[1]), code: m[2]! };
}
