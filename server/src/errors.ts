// One place that sorts the engine's failures into kinds. The CLI turns a kind into an exit code and a
// message (text or JSON), the language server into a ResponseError or a refusal answer; neither looks at
// error classes. An error with no kind is a bug and is thrown on.
import type { ConfigProblem } from '../../protocol/src/config';
import type { ChangeResult, RefusalCode } from '../../protocol/src/requests';
import { EngineError } from './engine';
import { ExportError } from './export/exportModel';
import { ExportFileError } from './export/exportTarget';
import { WorkspaceExistsError } from './init/starterWorkspace';
import { SyncError } from './sync/syncDialect';
import { WarehouseError } from './warehouse/warehouse';

export type FailureKind = RefusalCode | 'sync' | 'warehouse';

export interface Failure {
  kind: FailureKind;
  message: string;
  /** Shown with --json beside "error" and "message": the problems of retl.yaml, the connections using a model. */
  details?: Record<string, unknown>;
}

/** retl.yaml could not be used: its problems, each at its line. */
export class ConfigProblemsError extends EngineError {
  constructor(
    readonly configPath: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${configPath} has problems:\n${problems.map((p) => `${configPath}:${p.line}:${p.column}: ${p.message}`).join('\n')}`, 'configBroken');
  }
}

export function classify(err: unknown): Failure | undefined {
  if (err instanceof ConfigProblemsError) return { kind: 'configBroken', message: err.message, details: { configPath: err.configPath, problems: err.problems } };
  if (err instanceof EngineError) return { kind: err.code, message: err.message };
  if (err instanceof WorkspaceExistsError) return { kind: 'conflict', message: err.message };
  if (err instanceof SyncError) return { kind: 'sync', message: err.message };
  if (err instanceof WarehouseError) return { kind: 'warehouse', message: err.message };
  if (err instanceof ExportError) return { kind: err.error.kind === 'refused' || err.error.kind === 'syntax' ? 'invalid' : 'warehouse', message: err.message };
  if (err instanceof ExportFileError) return { kind: 'io', message: err.message };
  return undefined;
}

/** A change the engine refused (returned, not thrown), as a failure. */
export function refusal(result: Extract<ChangeResult, { ok: false }>): Failure {
  return { kind: result.code, message: result.message, ...(result.usedBy ? { details: { usedBy: result.usedBy } } : {}) };
}
