// One Warehouse per credentials entry, made on first use and replaced when the entry or its secret
// changes. Secrets come from the environment variable the entry names, else from the SecretSource
// (VS Code SecretStorage through the extension); they stay in memory.
import type { Credentials } from '../../../protocol/src/config';
import { DemoWarehouse } from './demo/demoAdapter';
import { PostgresWarehouse } from './postgres/postgresWarehouse';
import { SnowflakeWarehouse } from './snowflake/snowflakeWarehouse';
import type { Warehouse } from './warehouse';

export interface SecretSource {
  /** The stored secret of a credentials entry, or undefined when there is none. */
  get(credentialsId: string): Promise<string | undefined>;
}

/** For the CLI: no SecretStorage, only variables named in retl.yaml. */
export const NO_STORED_SECRETS: SecretSource = { get: async () => undefined };

export class WarehouseRegistry {
  private readonly made = new Map<string, { fingerprint: string; warehouse: Warehouse }>();

  constructor(
    private readonly secrets: SecretSource,
    private readonly demoDataDir: string,
  ) {}

  async get(creds: Credentials): Promise<Warehouse> {
    const secret = await this.secretOf(creds);
    // The secret is part of the fingerprint (never logged): a new password makes a new pool.
    const fingerprint = JSON.stringify([creds, secret ?? null]);
    const known = this.made.get(creds.id);
    if (known && known.fingerprint === fingerprint) return known.warehouse;
    if (known) void known.warehouse.close();
    const warehouse = this.make(creds, secret);
    this.made.set(creds.id, { fingerprint, warehouse });
    return warehouse;
  }

  private async secretOf(creds: Credentials): Promise<string | undefined> {
    if (creds.type === 'demo') return undefined;
    if (creds.type === 'snowflake' && creds.authenticator === 'SNOWFLAKE_JWT') {
      return creds.privateKeyPassphraseEnv ? process.env[creds.privateKeyPassphraseEnv] || undefined : undefined;
    }
    if (creds.passwordEnv) return process.env[creds.passwordEnv] || undefined;
    return this.secrets.get(creds.id);
  }

  private make(creds: Credentials, secret: string | undefined): Warehouse {
    switch (creds.type) {
      case 'postgres':
        return new PostgresWarehouse(creds, secret);
      case 'snowflake':
        return new SnowflakeWarehouse(creds, secret);
      case 'demo':
        return new DemoWarehouse(this.demoDataDir);
    }
  }

  /** Drops the warehouse of an entry, e.g. after its secret changed. */
  async forget(credentialsId: string): Promise<void> {
    const known = this.made.get(credentialsId);
    this.made.delete(credentialsId);
    await known?.warehouse.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.made.values()];
    this.made.clear();
    await Promise.all(all.map((k) => k.warehouse.close().catch(() => undefined)));
  }
}
