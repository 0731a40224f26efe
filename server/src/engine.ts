// The engine's warehouse side in one object, shared by the language server and the CLI: credentials
// and models come from the config store, warehouses from the registry, previews from the service.
import { promises as fs } from 'node:fs';
import type { Credentials, Model } from '../../protocol/src/config';
import type { PreviewResult } from '../../protocol/src/preview';
import type { CheckResult, VerifyResult } from '../../protocol/src/verify';
import type { ConfigStore } from './config/configStore';
import { escapesWorkspace } from './config/configChecks';
import { DEFAULT_PREVIEW_SETTINGS, PreviewService, type PreviewSettings } from './preview/previewService';
import { dialectOf } from './sql/statementCheck';
import { verifyCredentials } from './verify/verifyCredentials';
import { WarehouseRegistry, type SecretSource } from './warehouse/registry';
import { WarehouseError, type Catalog } from './warehouse/warehouse';

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
  private readonly loading = new Map<string, Promise<Catalog | undefined>>();
  private readonly failedAt = new Map<string, number>();
  /** Called when a catalog arrives or changes, so open documents are checked again. */
  onCatalog: (credentialsId: string) => void = () => undefined;

  constructor(
    readonly store: ConfigStore,
    secrets: SecretSource,
    demoDataDir: string,
    /** The preview's timeout and idle limit; an export's fetches take the same timeout. */
    readonly settings: PreviewSettings = DEFAULT_PREVIEW_SETTINGS,
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
    if (outcome.catalog && !unsaved) {
      this.catalogs.set(credentialsId, outcome.catalog);
      this.failedAt.delete(credentialsId);
      this.onCatalog(credentialsId);
    }
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
      sql = await this.modelSql(model);
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

  /** The columns the model's query returns now: page 1 of a preview (read only), closed at once. */
  async modelColumns(modelId: string, signal: AbortSignal): Promise<string[]> {
    const result = await this.openPreview({ modelId }, signal);
    if (!result.ok) throw new EngineError(`The query of "${modelId}" did not run: ${result.error.message}`, 'io');
    await this.previews.close(result.page.sessionId);
    return result.page.columns.map((c) => c.name);
  }

  /** The text of a model's query file. */
  async modelSql(model: Model): Promise<string> {
    // Checked again at read time: a link made after retl.yaml was loaded must not be followed either.
    const outside = escapesWorkspace(this.store.root, model.query);
    if (outside) throw new EngineError(`${model.query} is a symbolic link to ${outside}, outside the workspace; it is not read.`, 'io');
    try {
      return await fs.readFile(this.store.resolve(model.query), 'utf8');
    } catch (err) {
      throw new EngineError(`Cannot read ${model.query}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'io');
    }
  }

  /**
   * The catalog of a credentials entry: cached, or read once in the background. A failure is not retried
   * for a minute (a wrong password must not be tried on every keystroke) and never reported here: the
   * checks of Verify Credentials say what is wrong.
   */
  catalogFor(credentialsId: string): Promise<Catalog | undefined> {
    const cached = this.catalogs.get(credentialsId);
    if (cached) return Promise.resolve(cached);
    if (Date.now() - (this.failedAt.get(credentialsId) ?? 0) < 60_000) return Promise.resolve(undefined);
    let pending = this.loading.get(credentialsId);
    if (!pending) {
      pending = (async () => {
        try {
          const warehouse = await this.warehouses.get(this.credentials(credentialsId));
          const catalog = await warehouse.listCatalog(new AbortController().signal);
          this.catalogs.set(credentialsId, catalog);
          this.onCatalog(credentialsId);
          return catalog;
        } catch {
          this.failedAt.set(credentialsId, Date.now());
          return undefined;
        } finally {
          this.loading.delete(credentialsId);
        }
      })();
      this.loading.set(credentialsId, pending);
    }
    return pending;
  }

  /** Snowflake's own verdict on a statement its local grammar could not read (only once connected). */
  confirmer(credentialsId: string): ((statement: string) => Promise<{ message: string; offset?: number } | undefined>) | undefined {
    if (!this.catalogs.has(credentialsId)) return undefined;
    return async (statement) => {
      const warehouse = await this.warehouses.get(this.credentials(credentialsId));
      if (!warehouse.explain) return undefined;
      try {
        await warehouse.explain(statement, new AbortController().signal);
        return undefined;
      } catch (err) {
        if (!(err instanceof WarehouseError) || !['other'].includes(err.kind)) return undefined; // unsure: say nothing
        return { message: err.message, ...(err.options.position !== undefined ? { offset: err.options.position } : {}) };
      }
    };
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
