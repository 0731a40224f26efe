// The one way a model's text reaches a PostgreSQL-dialect warehouse (PostgreSQL through `pg`, the demo
// warehouse through PGlite), for every purpose: preview pages, the column read of New Connection, and
// the sync's fill of its temporary table. Three rules, each closing a hole found by attacking it:
//   1. The server must read the text as libpg-query did. With standard_conforming_strings = off (a role
//      or database may set it) a backslash ends a string literal differently, and text the parser saw
//      as a literal runs as code. So the transaction sets it back on *before* the server lexes the
//      model's text: acknowledged before the text is sent, or (preview page 1) as earlier messages of the
//      same extended-protocol batch, which the server executes one by one before it parses the next. A
//      setting inside the same simple-query message would come too late, because the server lexes the
//      whole message first.
//   2. The model travels alone, as one statement of the extended protocol (a Parse message refuses a
//      second statement), never spliced into a multi-statement simple query.
//   3. It runs inside a READ ONLY transaction, bounded by statement_timeout and cancelled on request.
// What this cannot stop (a user-defined function wrapping dblink_exec) is the role's to forbid; see
// README "What is guaranteed".

export interface ModelRunSettings {
  /** statement_timeout for the model; 0 or undefined: none (a sync may take as long as it takes). */
  timeoutMs?: number;
  /** How long the transaction may sit idle (a preview's cursor waiting for the next page). */
  idleMs?: number;
  /** Pages 2+ read from a cursor in the same snapshot as page 1. */
  repeatableRead?: boolean;
}

/** The settings the statement check assumes, and ISO text for dates and intervals. */
const READ_AS_CHECKED = [
  `SET LOCAL standard_conforming_strings = on`,
  `SET LOCAL DateStyle = 'ISO, YMD'`,
  `SET LOCAL IntervalStyle = 'iso_8601'`,
];

/**
 * Session settings that change the text of a value (and so a sync's row hash and payload): a run from a
 * session with another TimeZone must not see every row as changed. Set for the whole sync session.
 */
export const VALUE_TEXT_SETTINGS: [name: string, value: string][] = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'iso_8601'],
  ['extra_float_digits', '1'],
  ['standard_conforming_strings', 'on'],
];

/** The SET LOCALs for a model's transaction, one statement each (no user text in them). */
function modelSettings(s: ModelRunSettings): string[] {
  const bounds = [
    ...(s.timeoutMs ? [`SET LOCAL statement_timeout = ${Math.max(1, Math.round(s.timeoutMs))}`] : []),
    ...(s.idleMs ? [`SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1, Math.round(s.idleMs))}`] : []),
  ];
  return [...READ_AS_CHECKED, ...bounds];
}

/** The SET LOCALs for a model's transaction, as one simple-query text of ours (no user text in it). */
export function modelSettingsSql(s: ModelRunSettings): string {
  return modelSettings(s).join('; ');
}

/**
 * BEGIN and the settings as separate statements, for an extended-protocol batch (a Parse message takes
 * one statement): the server executes them, in this order, before it parses the batch's model statement.
 */
export function beginModelStatements(s: ModelRunSettings): string[] {
  return [`BEGIN ISOLATION LEVEL ${s.repeatableRead ? 'REPEATABLE READ' : 'READ COMMITTED'} READ ONLY`, ...modelSettings(s)];
}

/** BEGIN and the settings: sent, and acknowledged by the server, before any text of the model is sent. */
export function beginModelSql(s: ModelRunSettings): string {
  return beginModelStatements(s).join('; ');
}

// The shapes a checked statement is run in. Each is a wrap of the parsed statement as a subquery, never
// an edit of its text; error positions count from the start of the wrap, hence the shared prefix.
export const MODEL_PREFIX = 'SELECT * FROM (\n';
const MODEL_SUFFIX = '\n) AS q';

/** Page 1: PostgreSQL can plan a top-N sort for LIMIT; one extra row tells whether more follow. */
export function limitSql(statement: string, limit: number): string {
  return `${MODEL_PREFIX}${statement}${MODEL_SUFFIX} LIMIT ${limit}`;
}

export function offsetSql(statement: string, offset: number, limit: number): string {
  return `${MODEL_PREFIX}${statement}${MODEL_SUFFIX} OFFSET ${offset} LIMIT ${limit}`;
}

/** The result's columns, without reading a row. */
export function columnsSql(statement: string): string {
  return limitSql(statement, 0);
}

export const CURSOR_NAME = 'retl_preview';
export const DECLARE_PREFIX = `DECLARE ${CURSOR_NAME} NO SCROLL CURSOR FOR `;

export function declareSql(statement: string): string {
  return `${DECLARE_PREFIX}${statement}`;
}

/** Where a failure's position (1-based, in the sent text) falls within the statement, if it does. */
export function positionInStatement(position: string | undefined, prefixLength: number): number | undefined {
  if (!position) return undefined;
  const offset = Number(position) - 1 - prefixLength;
  return Number.isFinite(offset) && offset >= 0 ? offset : undefined;
}
