// The fields a person fills in to create or edit credentials, per warehouse type, with their checks.
// Used by the New Model wizard and Edit Credentials (and the webview's settings tab later), so the
// questions and rules live in one place. The secret itself is never one of these fields: it goes to
// SecretStorage or is read from the environment variable named in `passwordEnv`.
import type { Credentials, WarehouseType } from './config';
import { POSTGRES_SSL_MODES, SNOWFLAKE_AUTHENTICATORS } from './config';
import { idProblem } from './names';

export interface CredentialField {
  key: string;
  label: string;
  prompt: string;
  placeholder?: string;
  optional?: boolean;
  /** A fixed set of values: shown as a pick list. */
  choices?: readonly string[];
  defaultValue?: string;
  validate?: (value: string) => string | undefined;
  /** Only asked when this returns true for the answers so far. */
  when?: (answers: Readonly<Record<string, string>>) => boolean;
}

const required = (label: string) => (v: string) => (v.trim() ? undefined : `${label} must not be empty.`);

export function envVarProblem(v: string): string | undefined {
  if (!v.trim()) return undefined;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v.trim()) ? undefined : 'An environment variable name holds only letters, digits and _.';
}

function portProblem(v: string): string | undefined {
  if (!v.trim()) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : 'Port must be a whole number from 1 to 65535.';
}

/** Snowflake account identifiers: orgname-account or a locator with region, e.g. xy12345.eu-central-1. */
function snowflakeAccountProblem(v: string): string | undefined {
  if (!v.trim()) return 'Account must not be empty.';
  if (/^https?:\/\//i.test(v) || v.includes('snowflakecomputing.com')) {
    return 'Give the account identifier only (e.g. myorg-myaccount or xy12345.eu-central-1), not the URL.';
  }
  return /^[A-Za-z0-9_.-]+$/.test(v.trim()) ? undefined : 'Account may hold letters, digits, ".", "-" and "_".';
}

export const CREDENTIAL_FIELDS: Record<Exclude<WarehouseType, 'demo'>, readonly CredentialField[]> = {
  postgres: [
    { key: 'host', label: 'Host', prompt: 'Host name or IP address of the PostgreSQL server', defaultValue: 'localhost', validate: required('Host') },
    { key: 'port', label: 'Port', prompt: 'Port', defaultValue: '5432', optional: true, validate: portProblem },
    { key: 'database', label: 'Database', prompt: 'Database to read models from', validate: required('Database') },
    { key: 'user', label: 'User', prompt: 'User name (a read-only user is best)', validate: required('User') },
    { key: 'ssl', label: 'TLS', prompt: 'TLS mode', choices: POSTGRES_SSL_MODES, defaultValue: 'prefer' },
    {
      key: 'passwordEnv',
      label: 'Password variable',
      prompt: 'Environment variable holding the password; leave empty to type the password next (kept in VS Code SecretStorage)',
      placeholder: 'e.g. RETL_PG_PASSWORD',
      optional: true,
      validate: envVarProblem,
    },
  ],
  snowflake: [
    { key: 'account', label: 'Account', prompt: 'Account identifier', placeholder: 'myorg-myaccount or xy12345.eu-central-1', validate: snowflakeAccountProblem },
    { key: 'user', label: 'User', prompt: 'User name', validate: required('User') },
    { key: 'role', label: 'Role', prompt: 'Role (optional)', optional: true },
    { key: 'warehouse', label: 'Warehouse', prompt: 'Virtual warehouse that runs the queries (optional)', optional: true },
    { key: 'database', label: 'Database', prompt: 'Database (optional)', optional: true },
    { key: 'authenticator', label: 'Authentication', prompt: 'How to sign in', choices: SNOWFLAKE_AUTHENTICATORS, defaultValue: 'SNOWFLAKE' },
    {
      key: 'passwordEnv',
      label: 'Password variable',
      prompt: 'Environment variable holding the password; leave empty to type the password next (kept in VS Code SecretStorage)',
      optional: true,
      validate: envVarProblem,
      when: (a) => a.authenticator !== 'SNOWFLAKE_JWT',
    },
    {
      key: 'privateKeyPath',
      label: 'Private key file',
      prompt: 'Path of the PEM private key for key-pair authentication',
      validate: required('Private key file'),
      when: (a) => a.authenticator === 'SNOWFLAKE_JWT',
    },
    {
      key: 'privateKeyPassphraseEnv',
      label: 'Key passphrase variable',
      prompt: 'Environment variable holding the key passphrase (optional)',
      optional: true,
      validate: envVarProblem,
      when: (a) => a.authenticator === 'SNOWFLAKE_JWT',
    },
  ],
};

/** True when the credentials need a secret typed in (no env var and no key file names it). */
export function needsStoredSecret(c: Credentials): boolean {
  if (c.type === 'demo') return false;
  if (c.type === 'snowflake' && c.authenticator === 'SNOWFLAKE_JWT') return false;
  return !c.passwordEnv;
}

/** Builds a credentials entry from the wizard's answers; returns the first problem instead when any. */
export function credentialsFromAnswers(
  type: WarehouseType,
  id: string,
  answers: Readonly<Record<string, string>>,
): { credentials: Credentials } | { problem: string } {
  const badId = idProblem(id, 'Credentials id');
  if (badId) return { problem: badId };
  if (type === 'demo') return { credentials: { id, type } };
  const out: Record<string, unknown> = { id, type };
  for (const field of CREDENTIAL_FIELDS[type]) {
    if (field.when && !field.when(answers)) continue;
    const value = (answers[field.key] ?? '').trim();
    const problem = field.validate?.(value);
    if (problem) return { problem: `${field.label}: ${problem}` };
    if (!value) {
      if (!field.optional && !field.choices) return { problem: `${field.label} must not be empty.` };
      continue;
    }
    out[field.key] = field.key === 'port' ? Number(value) : value;
  }
  return { credentials: out as unknown as Credentials };
}
