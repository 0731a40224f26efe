import { EXIT, UsageError, type Command } from '../command';
import { cellText, formatTable } from '../format';
import { CliFailure } from '../failures';

export const preview: Command = {
  name: 'preview',
  args: 'MODEL_ID',
  summary: "run the model's query and print one page of 50 rows; the query is stopped after --timeout\nseconds (default 120), exit 1",
  flags: ['page', 'timeout'],
  async run({ values, io, withEngine }, [modelId]) {
    const page = values.page === undefined ? 1 : Number(values.page);
    if (!Number.isInteger(page) || page < 1) throw new UsageError('--page takes a whole number from 1 up.');
    const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400)) throw new UsageError('--timeout takes a number of seconds above 0 (at most 86400).');
    return withEngine(async (engine, signal) => {
      let result = await engine.openPreview({ modelId: modelId!, ...(seconds !== undefined ? { timeoutMs: Math.round(seconds * 1000) } : {}) }, signal);
      if (result.ok && page > 1) result = await engine.previews.page(result.page.sessionId, page, signal);
      if (!result.ok) {
        const e = result.error;
        const at = e.position ? `${engine.store.resolve(engine.model(modelId!).query)}:${e.position.line}:${e.position.column}: ` : '';
        throw new CliFailure(
          { kind: e.kind === 'refused' ? 'invalid' : 'warehouse', message: e.message, details: { ...(e.position ? { line: e.position.line, column: e.position.column } : {}), ...(e.code ? { code: e.code } : {}) } },
          { jsonKind: e.kind, text: `${at}${e.message}`, exitCode: e.kind === 'refused' ? EXIT.refused : EXIT.checksFailed },
        );
      }
      const p = result.page;
      if (io.json) {
        io.out(JSON.stringify({ model: modelId, page: p.page, pageSize: p.pageSize, columns: p.columns, rows: p.rows, hasMore: p.hasMore, duplicateKeys: p.keys.duplicates, ...(p.keys.missing ? { missingKey: p.keys.column } : {}) }));
      } else {
        io.out(formatTable(p.columns.map((c) => c.name), p.rows.map((r) => r.map(cellText))));
        io.out(`page ${p.page} · rows ${(p.page - 1) * p.pageSize + 1}–${(p.page - 1) * p.pageSize + p.rows.length}${p.hasMore ? ' · more rows follow' : ' · last page'}`);
        if (p.keys.missing) io.out(`primary key "${p.keys.column}" is not among the columns`);
        if (p.keys.duplicates.length) io.out(`duplicate keys: ${p.keys.duplicates.slice(0, 10).join(', ')}`);
      }
      return EXIT.ok;
    });
  },
};
