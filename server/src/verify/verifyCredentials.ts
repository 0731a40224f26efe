// The three checks, in order, each timed; a failure stops the later ones. Progress is reported after
// every change so the UI can show each check as it runs.
import { pendingChecks, type CheckResult, type VerifyResult } from '../../../protocol/src/verify';
import { WarehouseError, type Catalog, type Warehouse } from '../warehouse/warehouse';

export interface VerifyOutcome {
  result: VerifyResult;
  catalog?: Catalog;
}

export async function verifyCredentials(
  credentialsId: string,
  warehouse: Warehouse,
  stateSchema: string,
  onProgress: (checks: CheckResult[]) => void,
  signal: AbortSignal,
): Promise<VerifyOutcome> {
  let catalog: Catalog | undefined;
  const checks = pendingChecks();
  const steps: Record<CheckResult['id'], () => Promise<string>> = {
    connection: async () => {
      const found = await warehouse.checkConnection(signal, stateSchema);
      if (found?.warning) {
        const c = checks.find((x) => x.id === 'connection')!;
        c.warning = found.warning.message;
        c.remediation = found.warning.remediation;
      }
      return 'Connected and signed in.';
    },
    listSchemas: async () => {
      catalog = await warehouse.listCatalog(signal);
      const tables = catalog.schemas.reduce((n, s) => n + s.tables.length, 0);
      const columns = catalog.schemas.reduce((n, s) => n + s.tables.reduce((m, t) => m + t.columns.length, 0), 0);
      return `${catalog.schemas.length} schema${catalog.schemas.length === 1 ? '' : 's'}, ${tables} table${tables === 1 ? '' : 's'} and views, ${columns} columns visible.`;
    },
    stateSchema: async () => {
      await warehouse.checkStateSchema(stateSchema, signal);
      return `Can create and drop tables in "${stateSchema}".`;
    },
  };

  let failed = false;
  for (const check of checks) {
    if (failed) {
      check.status = 'skipped';
      continue;
    }
    check.status = 'running';
    onProgress(checks.map((c) => ({ ...c })));
    const started = performance.now();
    try {
      check.message = await steps[check.id]();
      check.status = 'passed';
    } catch (err) {
      failed = true;
      check.status = 'failed';
      if (err instanceof WarehouseError) {
        check.message = err.message;
        check.kind = err.kind;
        if (err.options.remediation) check.remediation = err.options.remediation;
      } else {
        check.message = (err as Error).message ?? String(err);
        check.kind = 'other';
      }
    }
    check.ms = Math.round(performance.now() - started);
  }
  onProgress(checks.map((c) => ({ ...c })));
  return { result: { credentials: credentialsId, checks, ok: !failed }, ...(catalog ? { catalog } : {}) };
}
