// `npm run test:desktop`: for people with a desktop machine that can download VS Code. It runs the
// API-only smoke suite in a real VS Code through @vscode/test-electron. (These build machines cannot
// download VS Code; there the same extension host runs through code-server: npm run test:e2e.)
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDeps, root, run } from './ensureDeps.mjs';

ensureDeps();
run('node scripts/build.mjs');
run('npx tsc -b');
const { runTests } = await import('@vscode/test-electron');
const workspace = join(tmpdir(), 'retl-desktop', 'desktop-smoke');
mkdirSync(workspace, { recursive: true });
run(`node bin/retl.js init --demo --dir "${workspace}" || true`);
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/e2e/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { RETL_E2E: '1' },
  });
  console.log('desktop smoke suite passed');
} catch (err) {
  console.error(`desktop smoke suite failed: ${err.message ?? err}`);
  process.exit(1);
}
