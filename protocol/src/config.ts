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

export interface Model {
  id: string;
  name: string;
  description?: string;
  credentials: string;
  /** Path of the model's SQL file, relative to the folder holding retl.yaml. */
  query: string;
  primaryKey?: string;
}

export interface Connection {
  id: string;
  model: string;
}

export interface RetlConfig {
  version: 1;
  stateSchema: string;
  credentials: Credentials[];
  models: Model[];
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
  credentials: Credentials[];
  models: ModelSummary[];
  connections: Connection[];
}

export interface ModelSummary extends Model {
  /** Absolute path of the query file. */
  queryPath: string;
  /** Ids of the connections that use this model. */
  connections: string[];
}
