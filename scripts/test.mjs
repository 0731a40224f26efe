// `npm test`: installs what is missing, builds, typechecks, runs every suite and ends with the line
// CI reads: "N passed, N failed". Pass suite names (unit, ...) to run only those.
import { ensureDeps, root, run } from './ensureDeps.mjs';
import { ensurePostgres } from './ensurePostgres.mjs';
import { ensureDebianPackages } from './e2e/codeServer.mjs';

const ensureChromium = () => ensureDebianPackages(['chromium']);
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

try {
  ensureDeps();
  run('node scripts/build.mjs');
  run('npx tsc -b');
} catch (err) {
  // CI reads the last line: a build that fails is a failure, not "no tests".
  console.error(`\nbuild failed: ${err.message.split('\n')[0]}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

const { default: Mocha } = await import('mocha');

const SUITES = {
  // eslint.config.mjs: unwaited promises and the import boundaries of the layers.
  lint: { run: async () => lint() },
  unit: { dir: 'out/test/unit', timeout: 30_000 },
  integration: { dir: 'out/test/integration', timeout: 120_000, needs: ensurePostgres },
  webview: { dir: 'out/test/webview', timeout: 120_000, needs: ensureChromium },
  // Not mocha in this process: scenarios in the real VS Code (code-server + Chromium), see scripts/e2e.
  e2e: { run: async () => (await import('./e2e/run.mjs')).runScenarios() },
  // `npm run demo` itself, checked in Chromium: the installed .vsix, auto-save off, the walkthrough.
  demo: { run: async () => (await import('./e2e/installedDemo.mjs')).runDemoCheck({ root }), needs: ensureChromium },
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = wanted.length ? wanted : Object.keys(SUITES);

function lint() {
  try {
    run('npx eslint .');
    return { passed: 1, failed: 0, failures: [] };
  } catch {
    return { passed: 0, failed: 1, failures: ['lint (npx eslint . prints the problems)'] };
  }
}

function testFiles(dir) {
  const abs = join(root, dir);
  const out = [];
  for (const name of readdirSync(abs)) {
    const file = join(abs, name);
    if (statSync(file).isDirectory()) out.push(...testFiles(join(dir, name)));
    else if (name.endsWith('.test.js')) out.push(file);
  }
  return out.sort();
}

let passed = 0;
let failed = 0;
for (const name of chosen) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown suite "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  try {
    suite.needs?.();
  } catch (err) {
    console.error(`${name}: cannot set up: ${err.message}`);
    failed++;
    continue;
  }
  if (suite.run) {
    try {
      const r = await suite.run();
      passed += r.passed;
      failed += r.failed;
      for (const f of r.failures) console.log(`  failed: ${f}`);
    } catch (err) {
      console.error(`${name}: ${err.stack ?? err}`);
      failed++;
    }
    continue;
  }
  const mocha = new Mocha({ timeout: suite.timeout, reporter: 'spec', color: !process.env.CI });
  for (const file of testFiles(suite.dir)) mocha.addFile(file);
  await mocha.loadFilesAsync();
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
  });
  mocha.dispose();
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
