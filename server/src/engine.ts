// The engine's warehouse side in one object, shared by the language server and the CLI: credentials
// and models come from the config store, warehouses from the registry, previews from the service.
import { promises as fs } from 'node:fs';
import type { Credentials, Model } from '../../protocol/src/config';
import type { PreviewResult } from '../../protocol/src/preview';
import type { CheckResult, VerifyResult } from '../../protocol/src/verify';
import type { ConfigStore } from './config/configStore';
import { DEFAULT_PREVIEW_SETTINGS, PreviewService, type PreviewSettings } from './preview/previewService';
import { dialectOf } from './sql/statementCheck';
import { verifyCredentials } from './verify/verifyCredentials';
import { WarehouseRegistry, type SecretSource } from './warehouse/registry';
import type { Catalog } from './warehouse/warehouse';

export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: 'notFound' | 'configBroken' | 'io',
  ) {
    super(message);
  }
}

export interface PreviewRequest {
  modelId?: string;
  /** Credentials to run `sql` with when no model is named. */
  credentialsId?: string;
  /** The text to run (e.g. the editor's unsaved buffer); defaults to the model's query file. */
  sql?: string;
  timeoutMs?: number;
}

export class Engine {
  readonly warehouses: WarehouseRegistry;
  readonly previews: PreviewService;
  /** Catalogs from the last successful "Able to list schemas" check, per credentials id. */
  readonly catalogs = new Map<string, Catalog>();

  constructor(
    readonly store: ConfigStore,
    secrets: SecretSource,
    demoDataDir: string,
    settings: PreviewSettings = DEFAULT_PREVIEW_SETTINGS,
  ) {
    this.warehouses = new WarehouseRegistry(secrets, demoDataDir);
    this.previews = new PreviewService(settings);
  }

  private config() {
    const config = this.store.config;
    if (!config) throw new EngineError('retl.yaml has problems; fix them first.', 'configBroken');
    return config;
  }

  credentials(id: string): Credentials {
    const c = this.config().credentials.find((x) => x.id === id);
    if (!c) throw new EngineError(`No credentials with id "${id}".`, 'notFound');
    return c;
  }

  model(id: string): Model {
    const m = this.config().models.find((x) => x.id === id);
    if (!m) throw new EngineError(`No model with id "${id}".`, 'notFound');
    return m;
  }

  async verify(credentialsId: string, onProgress: (checks: CheckResult[]) => void, signal: AbortSignal, unsaved?: Credentials): Promise<VerifyResult> {
    const creds = unsaved ?? this.credentials(credentialsId);
    const warehouse = await this.warehouses.get(creds);
    const outcome = await verifyCredentials(credentialsId, warehouse, this.config().stateSchema, onProgress, signal);
    if (outcome.catalog) this.catalogs.set(credentialsId, outcome.catalog);
    return outcome.result;
  }

  async openPreview(req: PreviewRequest, signal: AbortSignal): Promise<PreviewResult> {
    const model = req.modelId ? this.model(req.modelId) : undefined;
    const credentialsId = model?.credentials ?? req.credentialsId;
    if (!credentialsId) throw new EngineError('Name a model or credentials to run the query with.', 'notFound');
    const creds = this.credentials(credentialsId);
    let sql = req.sql;
    if (sql === undefined) {
      if (!model) throw new EngineError('No query to run.', 'notFound');
      try {
        sql = await fs.readFile(this.store.resolve(model.query), 'utf8');
      } catch (err) {
        throw new EngineError(`Cannot read ${model.query}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'io');
      }
    }
    const warehouse = await this.warehouses.get(creds);
    return this.previews.open(
      {
        warehouse,
        dialect: dialectOf(creds.type),
        sql,
        ...(model?.primaryKey ? { primaryKey: model.primaryKey } : {}),
        ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
      },
      signal,
    );
  }

  /** The model whose query file is `file` (an absolute path), if any. */
  modelForFile(file: string): Model | undefined {
    return this.store.config?.models.find((m) => this.store.resolve(m.query) === file);
  }

  async dispose(): Promise<void> {
    await this.previews.closeAll();
    await this.warehouses.closeAll();
  }
}
