// Snowflake has no read-only transaction: what keeps a model from writing is the statement check and,
// in the end, the role. Verify reads the role's grants (SHOW GRANTS TO ROLE) and warns when it may
// change anything outside the state schema, with the SQL of a role that may only read the data and own
// the state schema.
import type { SnowflakeCredentials } from '../../../../protocol/src/config';
import type { ConnectionCheck } from '../warehouse';

/** Privileges that only read or let the role see an object; any other one can change something. */
const READ_PRIVILEGES = new Set(['SELECT', 'USAGE', 'REFERENCES', 'MONITOR', 'READ', 'OPERATE']);

export interface SnowflakeGrant {
  privilege: string;
  grantedOn: string;
  name: string;
}

/**
 * The grants that let the role change something outside the state schema (`DB.SCHEMA` names, as SHOW
 * GRANTS gives them; the state schema itself and objects in it are the role's to change).
 */
export function writingGrants(grants: SnowflakeGrant[], stateSchema: string): SnowflakeGrant[] {
  const state = stateSchema.toUpperCase();
  const inState = (g: SnowflakeGrant) => {
    const parts = g.name.split('.').map((p) => p.replace(/^"|"$/g, '').toUpperCase());
    return (g.grantedOn === 'SCHEMA' && parts[1] === state) || parts.length >= 3 && parts[1] === state;
  };
  return grants.filter((g) => !READ_PRIVILEGES.has(g.privilege.toUpperCase()) && !inState(g));
}

/** The SQL of the role to use: SELECT on the data, everything on the state schema, nothing else. */
export function readerRoleSql(c: SnowflakeCredentials, stateSchema: string, quote: (name: string) => string): string {
  const role = quote(c.role ? `${c.role}_READER` : 'RETL_READER');
  const db = c.database ? quote(c.database) : '<DATABASE>';
  const wh = c.warehouse ? quote(c.warehouse) : '<WAREHOUSE>';
  const state = `${db}.${quote(stateSchema)}`;
  return [
    `CREATE ROLE IF NOT EXISTS ${role};`,
    `GRANT USAGE ON WAREHOUSE ${wh} TO ROLE ${role};`,
    `GRANT USAGE ON DATABASE ${db} TO ROLE ${role};`,
    `GRANT USAGE ON ALL SCHEMAS IN DATABASE ${db} TO ROLE ${role};`,
    `GRANT SELECT ON ALL TABLES IN DATABASE ${db} TO ROLE ${role};`,
    `GRANT SELECT ON ALL VIEWS IN DATABASE ${db} TO ROLE ${role};`,
    `GRANT SELECT ON FUTURE TABLES IN DATABASE ${db} TO ROLE ${role};`,
    `GRANT ALL PRIVILEGES ON SCHEMA ${state} TO ROLE ${role};`,
    `GRANT ROLE ${role} TO USER ${quote(c.user)};`,
    `-- then set role: ${role.replace(/^"|"$/g, '')} in retl.yaml`,
  ].join('\n');
}

export const READER_ADVICE =
  'Snowflake has no read-only transaction; models are checked to be one SELECT and SYSTEM$ and external functions are refused, but only the role guarantees a model only reads: use a role with SELECT on the data and full rights on the state schema only.';

export function describeSnowflakeGrants(role: string, writing: SnowflakeGrant[], remediation: string): ConnectionCheck['warning'] {
  if (writing.length === 0) return undefined;
  const shown = writing.slice(0, 5).map((g) => `${g.privilege} on ${g.grantedOn.toLowerCase()} ${g.name}`);
  const more = writing.length > shown.length ? ` and ${writing.length - shown.length} more` : '';
  return {
    message:
      `Role "${role}" can change data outside the state schema: ${shown.join(', ')}${more}. ${READER_ADVICE}`,
    remediation,
  };
}
