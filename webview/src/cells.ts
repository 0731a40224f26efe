// Cell values as shown and as copied (CSV, JSON): NULL is shown as the word but copied as null.
import type { Cell } from '../../protocol/src/preview';
import { isTruncated } from '../../protocol/src/preview';

export function cellText(c: Cell): string {
  if (c === null) return 'NULL';
  if (isTruncated(c)) return c.truncated;
  return String(c);
}

/** The value as it goes into CSV/JSON copies: NULL stays null, not the word. */
export function plain(c: Cell): string | number | boolean | null {
  if (c === null) return null;
  if (isTruncated(c)) return c.truncated;
  return c;
}

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => r.map((c) => csvField(plain(c))).join(','))].join('\n');
}

export function toJson(columns: string[], rows: Cell[][]): string {
  return JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, plain(r[i] ?? null)]))), null, 2);
}

// Types whose values are numbers, as PostgreSQL (format_type) and Snowflake (NUMBER(p,s), FLOAT) name them.
// Exact numbers arrive as strings so no digit is lost: the type, not the JavaScript value, says "number".
const NUMERIC_TYPE = /^(smallint|integer|bigint|int|int2|int4|int8|numeric|decimal|real|double precision|float|float4|float8|double|money|oid|number|fixed|decfloat)(\s*\(\s*\d+\s*(,\s*-?\d+\s*)?\))?$/i;
const TIME_TYPE = /^(timestamp|time)(_|\b)/i;

export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type.trim());
}

export function isTimeType(type: string): boolean {
  return TIME_TYPE.test(type.trim());
}

const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/;
const TIME_OF_DAY = /^(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/;

/**
 * A timestamp or time as read at a glance: date and time to the second, the zone kept, the fraction of a
 * second dropped (the whole value is on hover and in every copy). Text of another shape is left as it is.
 */
export function shortTime(text: string): string {
  const ts = TIMESTAMP.exec(text);
  if (ts) return `${ts[1]} ${ts[2]}${ts[3] ?? ''}`;
  const t = TIME_OF_DAY.exec(text);
  return t ? `${t[1]}${t[2] ?? ''}` : text;
}
