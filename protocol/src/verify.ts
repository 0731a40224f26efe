// Credential verification: three live checks, run in order; a failure stops the later ones.

export const CHECK_IDS = ['connection', 'listSchemas', 'stateSchema'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_TITLES: Record<CheckId, string> = {
  connection: 'Verifying connection',
  listSchemas: 'Able to list schemas',
  stateSchema: 'Able to access the state schema',
};

export type CheckStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

/** What went wrong, so the UI can say which field to fix. */
export type FailureKind =
  | 'dns' // host name does not resolve
  | 'refused' // nothing listens at host:port
  | 'unreachable' // no answer (firewall, VPN, wrong port)
  | 'tls' // TLS required, refused or certificate not trusted
  | 'auth' // wrong user or password, key not accepted
  | 'secretMissing' // no password in SecretStorage or the environment
  | 'database' // database does not exist or may not be connected to
  | 'role' // Snowflake role missing or not granted
  | 'warehouse' // Snowflake warehouse missing, suspended or not usable
  | 'permission' // missing grants on schemas or tables
  | 'stateSchema' // state schema missing or not writable
  | 'cancelled'
  | 'timeout'
  | 'other';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** The outcome in words; on failure the warehouse's own message is included. */
  message?: string;
  kind?: FailureKind;
  /**
   * A check that passed but found something to fix (a role that can act outside a read-only
   * transaction); `remediation` then holds the SQL that fixes it.
   */
  warning?: string;
  /** SQL that fixes the failure (or the warning), to be run by an administrator. */
  remediation?: string;
  ms?: number;
}

export interface VerifyResult {
  credentials: string;
  checks: CheckResult[];
  ok: boolean;
}

export function pendingChecks(): CheckResult[] {
  return CHECK_IDS.map((id) => ({ id, title: CHECK_TITLES[id], status: 'pending' }));
}
