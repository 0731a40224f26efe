// Turning warehouse values into preview cells: exact numbers as strings, ISO dates, NULL kept apart
// from the empty string, and long values cut for transport with their full size.
import type { Cell, TruncatedValue } from '../../../protocol/src/preview';

/** Characters of one value sent with a page; the rest comes on demand. */
export const MAX_CELL_CHARS = 2_000;

// PostgreSQL type OIDs that need more than "keep the text".
const BOOL = 16;
const SMALL_INTS = new Set([21, 23, 26]); // int2, int4, oid: exact in a JavaScript number
const FLOATS = new Set([700, 701]);
const TIMESTAMPS = new Set([1114, 1184]);

/** The text PostgreSQL sent for a value of type `oid`, as a cell (before truncation). */
export function pgCell(oid: number, text: string | null): Cell {
  if (text === null) return null;
  if (oid === BOOL) return text === 't' || text === 'true';
  if (SMALL_INTS.has(oid)) return Number(text);
  if (FLOATS.has(oid)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // NaN and Infinity stay text
  }
  if (TIMESTAMPS.has(oid)) return isoTimestamp(text);
  return text; // int8, numeric, money, date, json, uuid... exactly as the warehouse wrote them
}

/** "2026-11-24 21:00:00.5+00" → "2026-11-24T21:00:00.5+00:00"; infinity and BC dates stay as they are. */
export function isoTimestamp(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})?(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text);
  if (!m) return text;
  const [, date, time, tzHour, tzMin, tzSec] = m;
  const zone = tzHour ? `${tzHour}:${tzMin ?? '00'}${tzSec ? `:${tzSec}` : ''}` : '';
  return `${date}T${time}${zone}`;
}

export function truncate(cell: Cell, max = MAX_CELL_CHARS): Cell {
  if (typeof cell !== 'string' || cell.length <= max) return cell;
  const cut: TruncatedValue = { truncated: cell.slice(0, max), size: cell.length };
  return cut;
}

/** Text of a key value for duplicate detection; undefined for NULL. */
export function keyText(cell: Cell): string | undefined {
  if (cell === null) return undefined;
  if (typeof cell === 'object') return cell.truncated;
  return String(cell);
}
