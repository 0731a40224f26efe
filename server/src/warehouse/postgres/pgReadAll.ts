// A whole result read from PostgreSQL (pg or the demo warehouse's PGlite) for an export: one cursor in a
// READ ONLY transaction set up by the model runner, FETCHed in batches, values as the server's text, so
// a CSV of them is what COPY ... (FORMAT csv) writes.
import { pgCell } from '../../preview/cells';
import type { ResultColumn } from '../warehouse';
import { columnsFrom } from './pgSql';
import { CURSOR_NAME } from './modelRunner';

export function fetchSql(count: number): string {
  return `FETCH ${count} FROM ${CURSOR_NAME}`;
}

/** The columns of a FETCH's row description, with their type names and how their text reads as a cell. */
export function resultColumns(fields: { name: string; dataTypeID: number }[], typeNames: string[]): ResultColumn[] {
  return columnsFrom(fields, typeNames).map((c, i) => {
    const oid = fields[i]!.dataTypeID;
    return { ...c, cell: (text: string) => pgCell(oid, text) };
  });
}
