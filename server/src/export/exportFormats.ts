// The two export formats, written batch by batch so memory stays flat with the row count.
//   CSV: a header row, then each row as PostgreSQL's COPY ... (FORMAT csv, HEADER) writes it, by
//   csv-stringify: NULL is an empty unquoted field, the empty string "" (so the two stay apart), a
//   value is quoted when it holds a comma, a quote, CR or LF (and a lone \. in a one-column result,
//   which COPY would read as the end of data). Values are the warehouse's own text.
//   JSON Lines: one object per row, keys the column names in order; values as the preview shows them:
//   exact numbers (bigint, numeric, Snowflake NUMBER) as strings, dates and timestamps ISO 8601, JSON
//   columns as their text.
import { stringify, type Options } from 'csv-stringify/sync';
import type { ExportFormat } from '../../../protocol/src/export';
import type { ResultColumn, TextRow } from '../warehouse/warehouse';

export interface RowEncoder {
  /** What the file starts with (the CSV header; nothing for JSON Lines). */
  start(): string;
  rows(batch: TextRow[]): string;
}

export function encoderFor(format: ExportFormat, columns: ResultColumn[]): RowEncoder {
  return format === 'csv' ? csvEncoder(columns) : jsonlEncoder(columns);
}

function csvEncoder(columns: ResultColumn[]): RowEncoder {
  // csv-stringify quotes an empty string only when `quoted_match` matches it; a null never matches.
  const options: Options = { quoted_match: columns.length === 1 ? [/^$/, /^\\\.$/] : [/^$/], record_delimiter: 'unix' };
  return {
    start: () => stringify([columns.map((c) => c.name)], options),
    rows: (batch) => stringify(batch, options),
  };
}

function jsonlEncoder(columns: ResultColumn[]): RowEncoder {
  // Keys are written by hand rather than through an object: two columns of one name both stay, in order
  // (as PostgreSQL's row_to_json writes them), and a column named __proto__ is just a key.
  const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
  return {
    start: () => '',
    rows: (batch) => {
      let out = '';
      for (const row of batch) {
        let line = '{';
        for (let i = 0; i < keys.length; i++) {
          const text = row[i];
          line += `${i ? ',' : ''}${keys[i]}${JSON.stringify(text === null || text === undefined ? null : columns[i]!.cell(text))}`;
        }
        out += `${line}}\n`;
      }
      return out;
    },
  };
}
