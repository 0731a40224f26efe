// `npm run test:e2e` (and part of `npm test`): the scenarios in the real VS Code.
import { ensureDeps, root, run } from '../ensureDeps.mjs';

export const SCENARIOS = ['fresh-demo'];

export async function runScenarios() {
  const { ensureCodeServer } = await import('./codeServer.mjs');
  const { runE2E } = await import('./driver.mjs');
  ensureCodeServer();
  return runE2E({ root, scenarios: SCENARIOS, env: { RETL_E2E: '1' } });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureDeps();
  run('node scripts/build.mjs');
  run('npx tsc -b');
  const s = await runScenarios();
  console.log(`\n${s.passed} passed, ${s.failed} failed`);
  process.exit(s.failed > 0 || s.passed === 0 ? 1 : 0);
}
