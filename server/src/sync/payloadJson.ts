// A row's payload as the warehouse wrote it (JSON text), read without losing digits: a number JavaScript
// cannot hold exactly (a bigint id, a NUMERIC(38, 18)) stays its text, as a LosslessNumber, and is written
// out as that same text to a webhook, RudderStack or a PostgreSQL table. JSON.parse rounded them.
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

const numberOf = (text: string): number | LosslessNumber => (isSafeNumber(text) ? Number(text) : new LosslessNumber(text));

export function parsePayload(text: string): Record<string, unknown> {
  // Fewer than 16 digits in a row anywhere: every number is exact as a double, and JSON.parse is several
  // times faster than the lossless parser (a million payloads a run).
  if (!/\d{16}/.test(text)) return JSON.parse(text) as Record<string, unknown>;
  return parse(text, undefined, numberOf) as Record<string, unknown>;
}

/** JSON text of a value that may hold LosslessNumbers (a request body, a nested payload value). */
export function payloadJson(value: unknown, indent?: number): string {
  return stringify(value, undefined, indent) ?? 'null';
}

/** The exact text of a number read by parsePayload. */
export function exactNumberText(value: unknown): string | undefined {
  return isLosslessNumber(value) ? value.toString() : undefined;
}
