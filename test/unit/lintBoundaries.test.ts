// The import boundaries in eslint.config.mjs, proved by planting the import each block forbids into a real
// file of that folder and linting the result (ESLint's own API, the repository's config).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/cli';

type Lint = { messages: { ruleId: string | null; message: string }[] }[];

describe('lint: import boundaries and promises (eslint.config.mjs)', function () {
  this.timeout(120_000);
  let eslint: { lintText(code: string, options: { filePath: string }): Promise<Lint> };
  before(async () => {
    // ESLint is an ES module; this test compiles to CommonJS.
    const { ESLint } = (await import('eslint')) as unknown as { ESLint: new (o: { cwd: string }) => typeof eslint };
    eslint = new ESLint({ cwd: REPO });
  });

  async function planted(file: string, line: string): Promise<string[]> {
    const filePath = path.join(REPO, file);
    const [result] = await eslint.lintText(`${line}\n${readFileSync(filePath, 'utf8')}`, { filePath });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  const cases: [string, string, RegExp][] = [
    ['server/src/engine.ts', "import * as vscode from 'vscode';", /no-restricted-imports: .*only client\/ talks to VS Code/],
    ['server/src/engine.ts', "import { ModelPanels } from '../../client/src/modelPanel';", /client\/ is on the other side of the protocol/],
    ['client/src/extension.ts', "import 'pg';", /'pg' import is restricted.*ask it through a protocol request/],
    ['client/src/extension.ts', "import { Engine } from '../../server/src/engine';", /server\/ is on the other side of the protocol/],
    ['protocol/src/config.ts', "import { Engine } from '../../server/src/engine';", /server\/ is on the other side/],
    ['webview/src/main.ts', "import { readFileSync } from 'node:fs';", /the webview is a browser page/],
    ['webview/src/main.ts', "import * as vscode from 'vscode';", /only client\/ talks to VS Code/],
    ['webview/src/main.ts', "import { parse } from 'libpg-query';", /ask it through a protocol request/],
  ];
  for (const [file, line, expected] of cases) {
    it(`refuses \`${line}\` in ${file}`, async () => {
      const messages = await planted(file, line);
      assert.ok(messages.some((m) => expected.test(m)), messages.join('\n') || 'no message');
    });
  }

  it('refuses a promise nobody waits for, and passes the files as they are', async () => {
    const messages = await planted('server/src/engine.ts', 'export function dropped(p: Promise<void>): void { p.then(() => undefined); }');
    assert.ok(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises')), messages.join('\n'));
    const filePath = path.join(REPO, 'server/src/engine.ts');
    const [clean] = await eslint.lintText(readFileSync(filePath, 'utf8'), { filePath });
    assert.deepEqual(clean!.messages, []);
  });
});
