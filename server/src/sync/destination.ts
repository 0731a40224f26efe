// What the sync engine asks of a destination: deliver one batch, say which rows it refused. A failure
// worth retrying (a 5xx, a timeout, a dropped connection) is thrown as TransientDeliveryError; anything
// else that refuses the whole batch is returned as every row rejected, with the reason.
import { payloadJson } from './payloadJson';

export interface SyncRecord {
  op: 'upsert' | 'delete';
  /** The primary key as text. */
  key: string;
  /** Destination field → value, after the mapping (empty for deletes). */
  readonly fields: Record<string, unknown>;
  /** The same as JSON text, as the warehouse wrote it (numbers with all their digits). */
  readonly fieldsJson?: string;
  /** Hash of the mapped values: a stable message id for destinations that deduplicate. */
  hash: string | null;
}

export interface Rejection {
  key: string;
  reason: string;
}

/** A batch's upserts as the warehouse wrote them as CSV (CsvBatches of syncDialect.ts), read on demand. */
export interface CsvBatch {
  fields: { name: string; type: string; builtin: boolean }[];
  read(): Promise<string>;
  /** The batch's records with their fields, read again: for trying its rows one by one. */
  records(): Promise<SyncRecord[]>;
}

export interface SyncDestination {
  /**
   * `csv`, where the warehouse offers it, carries the batch's upserts for a destination that takes CSV;
   * the records' fields are then not read (takesCsv).
   */
  deliver(records: SyncRecord[], signal: AbortSignal, csv?: CsvBatch): Promise<Rejection[]>;
  /** Whether every batch of these fields goes as the warehouse's CSV: its records need no fields. */
  takesCsv?(fields: CsvBatch['fields'], signal: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

export class TransientDeliveryError extends Error {
  constructor(
    message: string,
    /** How long the destination asked us to wait (a 429's or 503's Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month in words; Date.parse would take "-5" for a year.
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function rejectAll(records: SyncRecord[], reason: string): Rejection[] {
  return records.map((r) => ({ key: r.key, reason }));
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** A request body already written as JSON text (postJson sends it as it is). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A 2xx answer: what the destination said, for the destination to read as an acknowledgement or not. */
export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * POSTs JSON and reads the whole answer, within `timeoutMs` by a timer of our own (on Node 20 a signal
 * from AbortSignal.timeout combined with AbortSignal.any can be collected and never fire). A redirect is
 * not followed: fetch would turn the POST into a GET that delivers nothing, so the batch is refused with
 * the Location named. 408, 429, 5xx, network failures and timeouts are transient; other statuses refuse
 * the batch.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs: number = DEFAULT_TIMEOUT_SECONDS * 1000,
): Promise<{ ok: true; answer: Answer } | { ok: false; reason: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const cancel = () => controller.abort();
  signal.addEventListener('abort', cancel, { once: true });
  let host = url;
  try {
    host = new URL(url).host;
    if (signal.aborted) throw new Error('cancelled');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body instanceof JsonText ? body.text : payloadJson(body),
      redirect: 'manual',
      signal: controller.signal,
    });
    // The body is read under the same timer: a destination that sends headers and then stalls is a timeout too.
    const text = await response.text();
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      return { ok: false, reason: `HTTP ${response.status} redirect to ${location ?? '(no Location)'}: not followed (a redirected POST delivers nothing); point the destination at the final URL` };
    }
    if (response.ok) return { ok: true, answer: { status: response.status, contentType: response.headers.get('content-type') ?? '', text } };
    const reason = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new TransientDeliveryError(reason, retryAfterMs(response.headers.get('retry-after')));
    return { ok: false, reason };
  } catch (err) {
    if (err instanceof TransientDeliveryError) throw err;
    if (signal.aborted) throw err;
    if (timedOut) throw new TransientDeliveryError(`${host}: no answer within ${Math.round(timeoutMs / 1000)} s`);
    throw new TransientDeliveryError(`${host}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
  }
}

/** The answer's JSON object (not an array, a string or null), or undefined when it is none. */
export function jsonObjectIn(text: string): object | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** A 2xx JSON answer that says it failed (`{"error": …}`, `{"ok": false}`, `{"success": false}`) is no acknowledgement. */
export function saysFailure(body: object): boolean {
  const b = body as { error?: unknown; ok?: unknown; success?: unknown };
  return (b.error !== undefined && b.error !== null && b.error !== false && b.error !== '') || b.ok === false || b.success === false;
}

/** An answer's text as it may appear in a reason: short, on one line. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}
