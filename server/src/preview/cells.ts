// Turning warehouse values into preview cells: exact numbers as strings, ISO dates, NULL kept apart
// from the empty string, and long values cut for transport with their full size.
import { Buffer } from 'node:buffer';
import { isTruncated, type Cell, type TruncatedValue } from '../../../protocol/src/preview';

/** Characters of one value sent with a page; the rest comes on demand. */
export const MAX_CELL_CHARS = 2_000;
/**
 * Characters of one value kept in the engine's page cache. Longer values are fetched again, whole, when
 * asked for ("show all"): 51 cells of 10 MB must not stay in the engine's memory.
 */
export const KEPT_CELL_CHARS = 65_536;

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

/** `cell` cut to `max` characters, keeping the whole value's size (a cut value may be cut further). */
export function truncate(cell: Cell, max = MAX_CELL_CHARS): Cell {
  if (isTruncated(cell)) return cell.truncated.length <= max ? cell : { truncated: detachedPrefix(cell.truncated, max), size: cell.size };
  if (typeof cell !== 'string' || cell.length <= max) return cell;
  const cut: TruncatedValue = { truncated: detachedPrefix(cell, max), size: cell.length };
  return cut;
}

/**
 * The first `max` UTF-16 units of `s` as a string of their own. V8's slice() of a long string points
 * into the original, which would keep a 10 MB value alive behind its 64 K prefix; a round trip through
 * UTF-16LE bytes copies the units exactly (lone surrogates included).
 */
function detachedPrefix(s: string, max: number): string {
  return Buffer.from(s.slice(0, max), 'utf16le').toString('utf16le');
}

/** What a cell costs in memory, roughly: two bytes per character (UTF-16) plus the slot. */
export function cellBytes(cell: Cell): number {
  if (typeof cell === 'string') return 16 + 2 * cell.length;
  if (isTruncated(cell)) return 48 + 2 * cell.truncated.length;
  return 16;
}

/** Text of a key value for duplicate detection; undefined for NULL. */
export function keyText(cell: Cell): string | undefined {
  if (cell === null) return undefined;
  if (typeof cell === 'object') return cell.truncated;
  return String(cell);
}
