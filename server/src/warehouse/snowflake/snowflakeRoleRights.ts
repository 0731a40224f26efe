// Snowflake has no read-only transaction: what keeps a model from writing is the statement check and,
// in the end, the role. Verify reads the role's grants (SHOW GRANTS TO ROLE) and warns when it may
// change anything outside the state schema, with the SQL of a role that may only read the data and own
// the state schema.
import type { SnowflakeCredentials } from '../../../../protocol/src/config';
import type { ConnectionCheck } from '../warehouse';

/** Privileges that only read or let the role see an object. */
const READ_PRIVILEGES = new Set(['SELECT', 'REFERENCES', 'MONITOR', 'READ']);
/**
 * USAGE only reads on these. On a ROLE it inherits that role (followed, see roleGrants); on a PROCEDURE it
 * can run DML through TABLE(proc()); on a task or integration it acts. Functions: the runner refuses
 * external ones by name; a UDF cannot write.
 */
const USAGE_READS_ON = new Set(['WAREHOUSE', 'DATABASE', 'SCHEMA', 'FUNCTION']);

export interface SnowflakeGrant {
  privilege: string;
  grantedOn: string;
  name: string;
  /** The role that holds it, when inherited through another role. */
  via?: string;
}

/** `db."My Schema".t` → ['DB', 'My Schema', 'T']: quoted parts exact, plain parts as Snowflake resolves them. */
export function nameParts(name: string): string[] {
  const parts: string[] = [];
  for (const m of name.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.trim().toUpperCase());
  return parts;
}

/**
 * The grants that let the role change something outside the state schema (`database` and `stateSchema`
 * as Snowflake resolves them; the state schema itself and objects in it are the role's to change).
 */
export function writingGrants(grants: SnowflakeGrant[], stateSchema: string, database?: string): SnowflakeGrant[] {
  const inState = (g: SnowflakeGrant) => {
    const [db, schema] = nameParts(g.name);
    const sameDb = database === undefined || db === database;
    return sameDb && schema === stateSchema && (g.grantedOn === 'SCHEMA' || nameParts(g.name).length >= 3);
  };
  return grants.filter((g) => {
    const privilege = g.privilege.toUpperCase();
    if (READ_PRIVILEGES.has(privilege)) return false;
    if (privilege === 'USAGE' && USAGE_READS_ON.has(g.grantedOn.toUpperCase())) return false;
    if (privilege === 'USAGE' && g.grantedOn.toUpperCase() === 'ROLE') return false; // followed: its own grants count
    return !inState(g);
  });
}

/** Roles inherited through USAGE on ROLE, read at most this deep and this many. */
export const MAX_ROLES_READ = 25;

/**
 * The role's grants and those of every role it inherits (SHOW GRANTS TO ROLE shows only its own), each
 * inherited one marked with the role that holds it. `show` answers SHOW GRANTS TO ROLE for one role.
 */
export async function roleGrants(role: string, show: (role: string) => Promise<SnowflakeGrant[]>): Promise<{ grants: SnowflakeGrant[]; unread: string[] }> {
  // Every role inherits PUBLIC without a grant that says so.
  const seen = new Set<string>([role, 'PUBLIC']);
  const queue = role === 'PUBLIC' ? [role] : [role, 'PUBLIC'];
  const grants: SnowflakeGrant[] = [];
  const unread: string[] = [];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (seen.size > MAX_ROLES_READ) {
      unread.push(current);
      continue;
    }
    for (const g of await show(current)) {
      grants.push(current === role ? g : { ...g, via: current });
      if (g.privilege.toUpperCase() === 'USAGE' && g.grantedOn.toUpperCase() === 'ROLE') {
        const inherited = nameParts(g.name).join('.');
        if (!seen.has(inherited)) {
          seen.add(inherited);
          queue.push(inherited);
        }
      }
    }
  }
  return { grants, unread };
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
  const shown = writing.slice(0, 5).map((g) => `${g.privilege} on ${g.grantedOn.toLowerCase()} ${g.name}${g.via ? ` (through role ${g.via})` : ''}`);
  const more = writing.length > shown.length ? ` and ${writing.length - shown.length} more` : '';
  return {
    message:
      `Role "${role}" can change data outside the state schema: ${shown.join(', ')}${more}. ${READER_ADVICE}`,
    remediation,
  };
}
