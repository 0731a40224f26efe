import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import * as path from 'node:path';
import { EXPORT_FORMATS, formatForPath, rowsText, sizeText, type ExportFormat } from '../../../../protocol/src/export';
import { checkExportPath, ExportError, exportModel, type ExportResult } from '../../export/exportModel';
import { ExportFileError, streamTarget, writeFileAtomically } from '../../export/exportTarget';
import { EXIT, UsageError, type Command } from '../command';
import { CliFailure } from '../failures';
import { formatSeconds } from '../../warehouse/warehouse';

export const exportCommand: Command = {
  name: 'export',
  args: 'MODEL_ID',
  summary:
    "run the model's query read only and write every row as CSV (a header row; NULL an empty field, the\nempty string \"\") or JSON Lines, to --output FILE (written whole or not at all) or standard output;\n--format defaults to the file's extension, else csv; each fetch is stopped after --timeout seconds\n(default 120); exit 1 when the warehouse fails or Ctrl-C stops it",
  flags: ['format', 'output', 'timeout'],
  async run({ values, io, withEngine }, [modelId]) {
    const format = formatOf(values.format, values.output);
    const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400)) throw new UsageError('--timeout takes a number of seconds above 0 (at most 86400).');
    if (values.output === '') throw new UsageError('--output takes a file name.');
    const output = values.output === undefined || values.output === '-' ? undefined : path.resolve(values.output);
    if (output && statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--output ${values.output} is a folder; name a file to write.`);
    const stdout = io.stream ?? process.stdout;
    return withEngine(async (engine, signal) => {
      const req = { modelId: modelId!, format, ...(seconds !== undefined ? { timeoutMs: Math.round(seconds * 1000) } : {}) };
      // Progress only where a person watches it: a terminal's standard error, one line rewritten.
      let shown = false;
      const progress = (rows: number) => {
        if (!io.errIsTerminal || io.json) return;
        shown = true;
        process.stderr.write(`\r${rowsText(rows)} so far…`);
      };
      let result: ExportResult;
      try {
        if (output) await checkExportPath(engine, output);
        result = output
          ? await writeFileAtomically(output, (target) => exportModel(engine, req, target, signal, progress))
          : await toStdout(stdout, (target) => exportModel(engine, req, target, signal, progress));
      } catch (err) {
        if (shown) process.stderr.write('\n');
        throw failureOf(err, () => engine.store.resolve(engine.model(modelId!).query), output);
      }
      if (shown) process.stderr.write('\r\x1b[K');
      const where = output ?? 'standard output';
      // With the rows on standard output, what was done goes to standard error.
      const say = output ? io.out : io.err;
      say(io.json ? JSON.stringify({ model: modelId, format, output: output ?? null, rows: result.rows, bytes: result.bytes, ms: result.ms }) : `exported ${rowsText(result.rows)} of "${modelId}" to ${where} (${format}, ${sizeText(result.bytes)}) in ${formatSeconds(result.ms)}`);
      return EXIT.ok;
    });
  },
};

/** The rows on standard output; done once every byte has left (a slow reader must not lose the tail). */
async function toStdout<T>(stdout: Writable, fn: (target: ReturnType<typeof streamTarget>) => Promise<T>): Promise<T> {
  const target = streamTarget(stdout);
  const result = await fn(target);
  // Standard output is never ended (it cannot be closed); the last write's callback says it has left.
  await new Promise<void>((resolve) => stdout.write('', () => resolve()));
  const failed = target.failed();
  if (failed) throw failed;
  return result;
}

function formatOf(given: string | undefined, output: string | undefined): ExportFormat {
  if (given === undefined) return output ? formatForPath(output) : 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(given)) throw new UsageError(`--format takes ${EXPORT_FORMATS.join(' or ')}, not "${given}".`);
  return given as ExportFormat;
}

/** What stopped an export, as the CLI says it: exit 1 for the warehouse, a cancel or the output; 3 for a refused query. */
function failureOf(err: unknown, queryFile: () => string, output: string | undefined): unknown {
  const removed = output ? ' Nothing was written to the output file.' : '';
  if (err instanceof ExportError) {
    const e = err.error;
    const refused = e.kind === 'refused' || e.kind === 'syntax';
    const at = e.position ? `${queryFile()}:${e.position.line}:${e.position.column}: ` : '';
    const after = err.rows > 0 ? ` (after ${rowsText(err.rows)})` : '';
    return new CliFailure(
      { kind: refused ? 'invalid' : 'warehouse', message: e.message, details: { rows: err.rows, ...(e.position ? { line: e.position.line, column: e.position.column } : {}), ...(e.code ? { code: e.code } : {}) } },
      { jsonKind: e.kind, text: `${at}${e.message}${after}${refused ? '' : removed}`, exitCode: refused ? EXIT.refused : EXIT.checksFailed },
    );
  }
  const errno = err as NodeJS.ErrnoException;
  if (errno.code === 'EPIPE') {
    return new CliFailure({ kind: 'io', message: 'The output was closed before every row was written; the query was stopped.' }, { jsonKind: 'outputClosed', exitCode: EXIT.checksFailed });
  }
  // A write to standard output that failed (a full disk behind a redirect) carries its system call.
  if (err instanceof ExportFileError || typeof errno.syscall === 'string') {
    return new CliFailure({ kind: 'io', message: (err as Error).message }, { exitCode: EXIT.checksFailed });
  }
  return err;
}
