// Rights that let a model act outside its READ ONLY transaction. Refusing such functions by name in the
// parse tree is only a speed bump (a function of the user's own can wrap dblink_exec); the guarantee is
// a role that lacks these rights, so Verify Credentials warns about each one, with the SQL that removes it.
import type pg from 'pg';
import { quoteIdent } from './pgSql';
import type { ConnectionCheck } from '../warehouse';

/** Predefined roles whose members can signal other backends or reach the server's files and programs. */
export const RISKY_ROLES = ['pg_signal_backend', 'pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'];
/** dblink functions that run SQL in another session, which READ ONLY does not cover. */
export const DBLINK_FUNCTIONS = ['dblink_exec', 'dblink', 'dblink_connect', 'dblink_connect_u', 'dblink_send_query', 'dblink_open'];

export const ROLE_RIGHTS_SQL = `
SELECT r.rolsuper AS superuser, r.rolreplication AS replication,
       ARRAY(SELECT b.rolname::text FROM pg_roles b
             WHERE b.rolname = ANY($1::text[]) AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1) AS roles,
       ARRAY(SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.proname = ANY($2::text[]) AND has_function_privilege(r.oid, p.oid, 'EXECUTE') ORDER BY 1) AS functions
FROM pg_roles r WHERE r.rolname = current_user`;

export interface RoleRights {
  superuser: boolean;
  /** REPLICATION: may create replication slots, which outlive the transaction. */
  replication?: boolean;
  roles: string[];
  functions: string[];
}

export function describeRoleRights(user: string, rights: RoleRights): ConnectionCheck['warning'] {
  const u = quoteIdent(user);
  const found: string[] = [];
  const fixes: string[] = [];
  if (rights.superuser) {
    found.push('it is a superuser');
    fixes.push(`ALTER ROLE ${u} NOSUPERUSER;`);
  }
  if (rights.replication && !rights.superuser) {
    found.push('it has the REPLICATION attribute');
    fixes.push(`ALTER ROLE ${u} NOREPLICATION;`);
  }
  // A superuser is a member of every role; naming them would only repeat that.
  if (rights.roles.length && !rights.superuser) {
    found.push(`it is a member of ${rights.roles.join(', ')}`);
    fixes.push(...rights.roles.map((r) => `REVOKE ${r} FROM ${u};`));
  }
  // A superuser may execute everything; naming each function would only repeat that.
  if (rights.functions.length && !rights.superuser) {
    const names = [...new Set(rights.functions.map((f) => f.replace(/\(.*$/, '')))];
    found.push(`it may execute ${names.join(', ')}`);
    fixes.push(...rights.functions.map((f) => `REVOKE EXECUTE ON FUNCTION ${f} FROM PUBLIC, ${u};`));
  }
  if (found.length === 0) return undefined;
  return {
    message:
      `Role "${user}" can act outside a read-only transaction: ${found.join('; ')}. ` +
      'Models run READ ONLY and such functions are refused by name, but a function of your own could wrap one: give retl a role without these rights.',
    remediation: fixes.join('\n'),
  };
}

export async function roleRightsWarning(client: pg.ClientBase, user: string): Promise<ConnectionCheck['warning']> {
  const { rows } = await client.query<RoleRights>(ROLE_RIGHTS_SQL, [RISKY_ROLES, DBLINK_FUNCTIONS]);
  return rows[0] ? describeRoleRights(user, rows[0]) : undefined;
}
