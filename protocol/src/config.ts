// The shape of `retl.yaml` as the engine hands it to the client, the CLI and the webview.
// The engine validates the file against its JSON schema; these types describe what passed.

export const WAREHOUSE_TYPES = ['postgres', 'snowflake', 'demo'] as const;
export type WarehouseType = (typeof WAREHOUSE_TYPES)[number];

export const POSTGRES_SSL_MODES = ['disable', 'prefer', 'require', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

export const SNOWFLAKE_AUTHENTICATORS = ['SNOWFLAKE', 'SNOWFLAKE_JWT'] as const;
export type SnowflakeAuthenticator = (typeof SNOWFLAKE_AUTHENTICATORS)[number];

export interface PostgresCredentials {
  id: string;
  type: 'postgres';
  host: string;
  port?: number;
  database: string;
  user: string;
  /** Name of an environment variable holding the password; otherwise it lives in SecretStorage. */
  passwordEnv?: string;
  ssl?: PostgresSslMode;
}

export interface SnowflakeCredentials {
  id: string;
  type: 'snowflake';
  account: string;
  user: string;
  role?: string;
  warehouse?: string;
  database?: string;
  authenticator?: SnowflakeAuthenticator;
  passwordEnv?: string;
  privateKeyPath?: string;
  privateKeyPassphraseEnv?: string;
  /** Only for private link or a proxy; by default the driver derives the URL from the account. */
  accessUrl?: string;
}

/** The embedded demo warehouse (PGlite); it has no fields and no secret. */
export interface DemoCredentials {
  id: string;
  type: 'demo';
}

export type Credentials = PostgresCredentials | SnowflakeCredentials | DemoCredentials;

/** What a person calls each kind of warehouse (pick lists, the panel, the tree). */
export const WAREHOUSE_LABEL: Record<WarehouseType, string> = { postgres: 'PostgreSQL', snowflake: 'Snowflake', demo: 'Demo warehouse' };

/** A credentials entry in words: where it connects and as whom (never a secret). */
export function describeCredentials(c: Credentials): string {
  switch (c.type) {
    case 'postgres':
      return `PostgreSQL · ${c.user}@${c.host}:${c.port ?? 5432}/${c.database}`;
    case 'snowflake':
      return `Snowflake · ${c.user}@${c.account}${c.warehouse ? ` · ${c.warehouse}` : ''}`;
    case 'demo':
      return 'embedded demo warehouse';
  }
}

export interface Model {
  id: string;
  name: string;
  description?: string;
  credentials: string;
  /** Path of the model's SQL file, relative to the folder holding retl.yaml. */
  query: string;
  primaryKey?: string;
}

export const DESTINATION_TYPES = ['webhook', 'rudderstack', 'postgres'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** Rows are POSTed as JSON batches: `{"connection","batch":[{"op","key","fields"}]}`. */
export interface WebhookDestination {
  id: string;
  type: 'webhook';
  url: string;
  /** Header values that are not secret. */
  headers?: Record<string, string>;
  /** Header name → environment variable holding its (secret) value. */
  headersEnv?: Record<string, string>;
  batchSize?: number;
  /** How long a batch may wait for the whole answer before it is tried again (default 30). */
  timeoutSeconds?: number;
  /** Batches sent at once, each acknowledged on its own (default 4). */
  concurrency?: number;
}

/** RudderStack's HTTP API: `identify` or `track` events to `<dataPlaneUrl>/v1/batch`. */
export interface RudderstackDestination {
  id: string;
  type: 'rudderstack';
  dataPlaneUrl: string;
  /** Environment variable holding the source's write key. */
  writeKeyEnv: string;
  batchSize?: number;
  /** How long a batch may wait for the whole answer before it is tried again (default 30). */
  timeoutSeconds?: number;
  /** Batches sent at once, each acknowledged on its own (default 4). */
  concurrency?: number;
}

/** A table in a PostgreSQL database: rows are upserted on the key column (and deleted in mirror mode). */
export interface PostgresDestination {
  id: string;
  type: 'postgres';
  /** Credentials of type postgres. */
  credentials: string;
  /** `schema.table` or `table`; it must exist, with a unique constraint on the key column. */
  table: string;
  /** Rows per batch (default 5,000: one COPY and one INSERT ... ON CONFLICT each). */
  batchSize?: number;
  /** Batches written at once, each in a transaction on a connection of its own (default 4). */
  concurrency?: number;
}

export type Destination = WebhookDestination | RudderstackDestination | PostgresDestination;

export const SYNC_MODES = ['upsert', 'mirror', 'full'] as const;
/** upsert: added and changed rows; mirror: also removes rows gone from the model; full: every row, every run. */
export type SyncMode = (typeof SYNC_MODES)[number];

/** How a RudderStack connection turns a row into an event. */
export interface RudderstackEvent {
  type: 'identify' | 'track';
  /** Model column holding the userId (or set anonymousIdColumn). */
  userIdColumn?: string;
  anonymousIdColumn?: string;
  /** The event name, for track. */
  name?: string;
}

export interface Connection {
  id: string;
  model: string;
  destination?: string;
  mode?: SyncMode;
  /** Model column → destination field (a webhook field, a trait or property, a table column). */
  mapping?: Record<string, string>;
  event?: RudderstackEvent;
  /** `manual`, an interval such as `15m`, `1h`, `1d`, or a 5-field cron expression (`0 6 * * 1-5`). */
  schedule?: string;
  /** The IANA time zone the cron expression is read in; retl.yaml's `timeZone` (else UTC) when absent. */
  timeZone?: string;
  /** A paused connection never runs on its schedule; Sync Now and `retl sync` still run it. */
  paused?: boolean;
}

/** An interval schedule: a number of minutes, hours or days (`15m`, `1h`, `1d`). */
export const SCHEDULE_INTERVAL = /^([1-9][0-9]*)([mhd])$/;

/** A schedule as people read it: "every 15m", "cron 0 6 * * 1-5 (Europe/Berlin)"; undefined for manual. */
export function scheduleText(schedule: string | undefined, timeZone: string | undefined): string | undefined {
  const text = schedule?.trim();
  if (!text || text === 'manual') return undefined;
  return SCHEDULE_INTERVAL.test(text) ? `every ${text}` : `cron ${text} (${timeZone ?? 'UTC'})`;
}

export interface RetlConfig {
  version: 1;
  stateSchema: string;
  /** The IANA time zone of cron schedules (default UTC). */
  timeZone?: string;
  credentials: Credentials[];
  models: Model[];
  destinations: Destination[];
  connections: Connection[];
}

/** A problem in retl.yaml, located in the file (1-based line and column). */
export interface ConfigProblem {
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Everything the Models view shows, in one answer. */
export interface WorkspaceState {
  /** Absolute path of retl.yaml (it may not exist yet). */
  configPath: string;
  exists: boolean;
  /** When non-empty the file is broken: the lists below are from the last good load (or empty). */
  problems: ConfigProblem[];
  stateSchema: string;
  /** retl.yaml's time zone for cron schedules, when it names one. */
  timeZone?: string;
  credentials: Credentials[];
  models: ModelSummary[];
  destinations: Destination[];
  connections: Connection[];
}

export interface ModelSummary extends Model {
  /** Absolute path of the query file. */
  queryPath: string;
  /** Ids of the connections that use this model. */
  connections: string[];
}
