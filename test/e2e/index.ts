// Entry point the extension host calls (extensionTestsPath): runs the suite named after the workspace
// folder with mocha, and writes the results where the driver waits for them.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { ui } from './ui';

interface TestResult {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const name = folder ? path.basename(folder.uri.fsPath) : 'no-folder';
  const resultsDir = process.env.RETL_E2E_RESULTS ?? path.resolve(__dirname, '../../../test-results/e2e');
  mkdirSync(resultsDir, { recursive: true });
  const tests: TestResult[] = [];
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    color: false,
    reporter: 'spec',
    rootHooks: {
      // What the screen showed when a test failed, before anything else changes it.
      async afterEach(this: Mocha.Context) {
        const t = this.currentTest;
        if (t?.state === 'failed') await ui('screenshot', { name: `${name}-FAILED-${t.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}` }).catch(() => undefined);
      },
    },
  });
  mocha.addFile(path.join(__dirname, 'suites', `${name}.test.js`));
  try {
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed' }));
      runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}`.slice(0, 3000) }));
    });
  } catch (err) {
    tests.push({ title: `${name}: loading the suite`, state: 'failed', error: String((err as Error).stack ?? err) });
  }
  const passed = tests.filter((t) => t.state === 'passed').length;
  writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify({ passed, failed: tests.length - passed, tests }, null, 2));
}
