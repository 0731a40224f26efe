// PostgreSQL failures in words a person can act on: which field to fix, or which grant is missing.
import type { PostgresCredentials } from '../../../../protocol/src/config';
import { missingSecretError, WarehouseError } from '../warehouse';
import { quoteIdent } from './pgSql';

interface PgLikeError {
  code?: string;
  message?: string;
  severity?: string;
}

export function classifyPgError(err: unknown, c: PostgresCredentials, hadPassword: boolean, position?: number): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? '';
  const msg = e.message ?? String(err);
  const where = `${c.host}:${c.port ?? 5432}`;
  const opts = (extra: { remediation?: string } = {}) => ({ code, cause: err, ...(position !== undefined ? { position } : {}), ...extra });

  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WarehouseError(`Host "${c.host}" was not found (DNS lookup failed). Check the host name.`, 'dns', opts());
    case 'ECONNREFUSED':
      return new WarehouseError(`Nothing accepts connections at ${where}. Check the host and port, and that PostgreSQL is running there.`, 'refused', opts());
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new WarehouseError(`No answer from ${where}. A firewall, VPN or wrong port?`, 'unreachable', opts());
    case '28P01':
      return new WarehouseError(`Password authentication failed for user "${c.user}": ${msg}. Check the user and password.`, 'auth', opts());
    case '28000':
      return new WarehouseError(`The server does not let user "${c.user}" in: ${msg}. Check the user name, and pg_hba.conf on the server.`, 'auth', opts());
    case '3D000':
      return new WarehouseError(`Database "${c.database}" does not exist on ${where}: ${msg}. Check the database name.`, 'database', opts());
    case '42501':
      if (msg.includes('for database')) {
        return new WarehouseError(`${msg}.`, 'database', opts({ remediation: `GRANT CONNECT ON DATABASE ${quoteIdent(c.database)} TO ${quoteIdent(c.user)};` }));
      }
      return new WarehouseError(`Permission denied: ${msg}.`, 'permission', opts());
    case '57014':
      return /timeout/i.test(msg)
        ? new WarehouseError(`The query ran longer than the preview timeout and was stopped: ${msg}.`, 'timeout', opts())
        : new WarehouseError('Cancelled.', 'cancelled', opts());
    case '57P01':
    case '57P03':
      return new WarehouseError(`The server is shutting down or starting up: ${msg}.`, 'unreachable', opts());
  }
  if (/timeout expired|connection terminated due to connection timeout/i.test(msg)) {
    return new WarehouseError(`No answer from ${where} within 10 s. A firewall, VPN or wrong port?`, 'unreachable', opts());
  }
  if (/SSL|TLS|certificate|self[- ]signed/i.test(msg) || /^(ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code)) {
    return new WarehouseError(`TLS failed with ${where}: ${msg}. Check the TLS setting (ssl: ${c.ssl ?? 'prefer'}).`, 'tls', opts());
  }
  if (!hadPassword && /password|SASL|SCRAM/i.test(msg)) return missingSecretError(c.user, c.passwordEnv);
  if (code === '42P01' || code === '42703' || code === '42883' || code.startsWith('42')) {
    return new WarehouseError(msg, 'other', opts());
  }
  return new WarehouseError(msg, 'other', opts());
}
