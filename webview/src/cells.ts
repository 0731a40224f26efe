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
