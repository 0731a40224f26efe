import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigStore } from '../../config/configStore';
import { analyzeSql } from '../../sql/analyzeSql';
import { positionAt } from '../../sql/sqlLexer';
import { dialectOf, type Dialect } from '../../sql/statementCheck';
import { closeDemoWarehouses } from '../../warehouse/demo/demoWarehouse';
import { EXIT, UsageError, type Command } from '../command';
import { cliEngine, findConfig } from '../context';

export const validate: Command = {
  name: 'validate',
  args: 'FILE...',
  summary: 'check SQL files: syntax, one read-only statement, and the catalog of the credentials (a model\'s\nfile uses its own)',
  flags: ['dialect', 'credentials'],
  async run({ values, io }, files) {
    if (values.dialect !== undefined && values.dialect !== 'postgres' && values.dialect !== 'snowflake') throw new UsageError('--dialect is postgres or snowflake.');
    // retl.yaml is optional here: without it, files are checked for syntax and statement kind only.
    const configPath = findConfig(values.config);
    const store = configPath && existsSync(configPath) ? new ConfigStore(configPath) : undefined;
    if (store && (await store.load()).problems.length > 0 && values.credentials) throw new UsageError(`${configPath} has problems; fix them to use --credentials.`);
    const engine = store ? cliEngine(store) : undefined;
    try {
      const report: { file: string; diagnostics: { line: number; column: number; severity: string; message: string; code: string }[] }[] = [];
      for (const file of files) {
        const abs = path.resolve(file);
        let text: string;
        try {
          text = await fs.readFile(abs, 'utf8');
        } catch (err) {
          throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        const model = engine?.modelForFile(abs);
        const credentialsId = values.credentials ?? model?.credentials;
        const creds = credentialsId && engine ? engine.credentials(credentialsId) : undefined;
        const dialect = (values.dialect as Dialect | undefined) ?? (creds ? dialectOf(creds.type) : 'postgres');
        const catalog = creds && engine ? await engine.catalogFor(creds.id) : undefined;
        if (creds && !catalog) io.err(`retl: could not read the catalog of "${creds.id}" (run "retl verify ${creds.id}"); checking without it.`);
        const found = await analyzeSql(text, { dialect, isModel: model !== undefined, ...(catalog ? { catalog } : {}), ...(model?.primaryKey ? { primaryKey: model.primaryKey } : {}) });
        report.push({ file, diagnostics: found.map((d) => ({ ...positionAt(text, d.start), severity: d.severity, message: d.message, code: d.code })) });
      }
      if (io.json) io.out(JSON.stringify(report, null, 2));
      else for (const r of report) for (const d of r.diagnostics) io.out(`${r.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`);
      return report.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? EXIT.checksFailed : EXIT.ok;
    } finally {
      await engine?.dispose();
      await closeDemoWarehouses();
    }
  },
};
