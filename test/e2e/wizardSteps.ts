// Steps several scenarios share: the credentials part of the New Model wizard, typed as a person would.
import { ui } from './ui';

export interface E2EPostgres {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** The PostgreSQL server the driver started for this run. */
export function e2ePostgres(): E2EPostgres {
  const raw = process.env.RETL_E2E_PG;
  if (!raw) throw new Error('RETL_E2E_PG is not set by the driver');
  return JSON.parse(raw) as E2EPostgres;
}

async function answer(prompt: string, value: string): Promise<void> {
  await ui('waitQuickInput', { text: prompt });
  await ui('clearInput');
  await ui('type', { text: value });
}

export async function typeCredentials(pg: E2EPostgres, password: string): Promise<void> {
  await ui('waitQuickInput', { text: 'Credentials for PostgreSQL' });
  await ui('type', { text: 'Create credentials' });
  await ui('waitQuickInput', { text: 'An id for these' });
  await ui('press', { key: 'Enter' }); // postgres_1
  await answer('Host:', pg.host);
  await answer('Port:', String(pg.port));
  await answer('Database:', pg.database);
  await answer('User:', pg.user);
  await ui('waitQuickInput', { text: 'TLS mode' });
  await ui('press', { key: 'Enter' }); // prefer
  await ui('waitQuickInput', { text: 'Password variable' });
  await ui('press', { key: 'Enter' }); // none: type the password instead
  await ui('waitQuickInput', { text: 'Password (kept in VS Code SecretStorage' });
  await ui('type', { text: password });
}
