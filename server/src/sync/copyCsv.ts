// Rows as CSV for PostgreSQL's COPY ... FROM STDIN (FORMAT csv), by csv-stringify: every string quoted
// (so an empty string is "" and a lone \. is no end-of-data marker), NULL an empty unquoted field,
// booleans as true / false, objects and arrays as JSON text (a json / jsonb column takes them), numbers
// with all their digits.
import { stringify } from 'csv-stringify/sync';
import { exactNumberText, payloadJson } from './payloadJson';

export function copyCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => r[c] ?? null)),
    {
      quoted_string: true,
      cast: {
        boolean: (b) => (b ? 'true' : 'false'),
        number: (n) => String(n),
        object: (o) => exactNumberText(o) ?? payloadJson(o),
      },
    },
  );
}
