// `npm test demo` (and part of `npm test`): runs `npm run demo`'s script as a user would, on a free port and
// in a temporary folder, and checks in Chromium what the user gets: the extension installed from its .vsix
// (no "Extension Development Host"), auto-save off, and the walkthrough with our steps. Screenshots land in
// test-results/demo/. The demo (and with it code-server) is stopped at the end, also on failure.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDemoSettings } from '../demoWorkspace.mjs';
import { freePort } from './codeServer.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The first demo on a machine installs code-server (about a minute); later ones only build and install the .vsix.
const DEMO_START_MS = 5 * 60_000;
const STEPS = ['Try the demo warehouse', 'Add your warehouse', 'Create a model', 'Run it', 'Connect it to a destination'];
const SAMPLE = join('models', 'active_users.sql');

export async function runDemoCheck({ root }) {
  const results = join(root, 'test-results', 'demo');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const summary = { passed: 0, failed: 0, failures: [] };
  const test = async (title, fn) => {
    try {
      await fn();
      summary.passed++;
      console.log(`  ✔ ${title}`);
    } catch (err) {
      summary.failed++;
      summary.failures.push(`demo: ${title}`);
      console.log(`  ✗ ${title}\n      ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n      ')}`);
      await page?.screenshot({ path: join(results, `FAILED-${title.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`) }).catch(() => undefined);
    }
  };
  let page;

  await test('demo settings: auto-save off added when missing, user settings and comments kept', () => {
    expectEqual(JSON.parse(withDemoSettings(undefined)), { 'files.autoSave': 'off' });
    const mine = '// my settings\n{\n  "editor.fontSize": 15, // big\n}\n';
    expectEqual(withDemoSettings(mine), '// my settings\n{\n  "files.autoSave": "off",\n  "editor.fontSize": 15, // big\n}\n');
    expectEqual(withDemoSettings('{ "files.autoSave": "afterDelay" }'), undefined);
    expectEqual(JSON.parse(withDemoSettings('{}')), { 'files.autoSave': 'off' });
  });

  const home = mkdtempSync(join(tmpdir(), 'retl-demo-check-'));
  const workspace = join(home, 'workspace');
  const port = await freePort();
  const demo = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs')], {
    cwd: root,
    env: { ...process.env, RETL_DEMO_PORT: String(port), RETL_DEMO_DIR: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.on('data', (d) => (output += d));
  demo.stderr.on('data', (d) => (output += d));
  let browser;
  try {
    const url = await waitFor(() => /Open: (http\S+)/.exec(output)?.[1], DEMO_START_MS, () => demo.exitCode !== null);
    if (!url) throw new Error(`the demo printed no URL${demo.exitCode !== null ? ` and exited (${demo.exitCode})` : ''}:\n${output}`);

    await test('prints one line per step, no npm or apt output, then the URL and what to do first', () => {
      const before = output.slice(0, output.indexOf('Reverse ETL Models demo is running'));
      const lines = before.split('\n').filter((l) => l.trim());
      expect(lines.length > 0 && lines.every((l) => /… (done|unchanged)/.test(l)), `not one line per step:\n${before}`);
      expect(!/npm (warn|notice)|\bapt|DONE|INFO/.test(before), `install noise in the output:\n${before}`);
      expect(/Reverse ETL view/.test(output) && /Run Query/.test(output) && /Walkthrough/.test(output), `no first steps in:\n${output}`);
    });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.activitybar [aria-label*="Reverse ETL"]', { timeout: 90_000 });

    await test('the extension is installed, not a development extension', async () => {
      await page.waitForFunction(() => document.title.includes('workspace'), undefined, { timeout: 30_000 });
      const title = await page.title();
      expect(!title.includes('Extension Development Host'), `window title: ${title}`);
      expect(readFileSync(join(home, 'extensions', 'extensions.json'), 'utf8').includes('retl-models.retl-models'), 'not in extensions.json');
      await page.screenshot({ path: join(results, '01-installed.png') });
    });

    await test('auto-save is off: a typed change stays unsaved (tab dirty), and Revert undoes it', async () => {
      const file = join(workspace, SAMPLE);
      const before = readFileSync(file, 'utf8');
      expectEqual(JSON.parse(readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8'))['files.autoSave'], 'off');
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.keyboard.type('active_users.sql', { delay: 5 });
      await page.waitForSelector('.quick-input-widget .monaco-list-row.focused[aria-label*="active_users.sql"]', { timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector('.tab.active[aria-label*="active_users.sql"]', { timeout: 15_000 });
      await page.click('.editor-instance .monaco-editor .view-lines');
      await page.keyboard.press('Control+End');
      await page.keyboard.type('-- a typo', { delay: 5 });
      await page.waitForSelector('.tab.active.dirty', { timeout: 5_000 });
      // Twice code-server's web default delay (1 s): a save would have happened by now.
      await page.waitForTimeout(2_000);
      expectEqual(readFileSync(file, 'utf8'), before, 'the file on disk changed: it was saved');
      expect(await page.$('.tab.active.dirty'), 'the tab no longer shows unsaved changes');
      await page.screenshot({ path: join(results, '02-unsaved.png') });
      await command(page, 'File: Revert File');
      await page.waitForSelector('.tab.active:not(.dirty)', { timeout: 10_000 });
      expectEqual(readFileSync(file, 'utf8'), before);
    });

    await test('the walkthrough opens from "Welcome: Open Walkthrough..." with our steps', async () => {
      await command(page, 'Welcome: Open Walkthrough...');
      await page.waitForSelector('.quick-input-widget .monaco-list-row', { timeout: 15_000 });
      await page.keyboard.type('Reverse ETL', { delay: 5 });
      await page.waitForSelector('.quick-input-widget .monaco-list-row.focused[aria-label*="Reverse ETL"]', { timeout: 15_000 });
      await page.keyboard.press('Enter');
      const steps = await stepTitles(page);
      for (const s of STEPS) expect(steps.some((t) => t.includes(s)), `no step "${s}" in ${JSON.stringify(steps)}`);
      // The first step's markdown shows beside it once its page has loaded.
      await waitInFrames(page, 'The demo warehouse');
      await page.screenshot({ path: join(results, '03-walkthrough-light.png') });
      // The theme picker by its keys: in the palette, "Color Theme" first finds the Marketplace command.
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+T');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.keyboard.type('Dark Modern', { delay: 5 });
      await page.waitForSelector('.quick-input-widget .monaco-list-row.focused[aria-label*="Dark Modern"]', { timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector('.monaco-workbench.vs-dark', { timeout: 15_000 });
      await page.click(`button.getting-started-step[data-step-id$="#runModel"]`);
      await waitInFrames(page, 'Run it');
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(results, '04-walkthrough-dark.png') });
    });
  } catch (err) {
    summary.failed++;
    summary.failures.push(`demo: ${String(err?.message ?? err).split('\n')[0]}`);
    console.log(`  ✗ ${err?.stack ?? err}`);
    await page?.screenshot({ path: join(results, 'FAILED.png') }).catch(() => undefined);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopDemo(demo, port, summary);
    rmSync(home, { recursive: true, force: true });
  }
  return summary;
}

/** Ctrl-C as a user would: the demo stops code-server's process group, then the port is free. */
async function stopDemo(demo, port, summary) {
  if (demo.exitCode === null) {
    demo.kill('SIGINT');
    const exited = await waitFor(() => demo.exitCode !== null, 15_000);
    if (!exited) demo.kill('SIGKILL');
  }
  const down = await waitFor(async () => {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return false;
    } catch {
      return true;
    }
  }, 15_000);
  if (!down) {
    summary.failed++;
    summary.failures.push(`demo: code-server still answers on port ${port} after the demo stopped`);
  }
}

async function command(page, title) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    // The palette may open with its last text, or only ">", selected or not: replace whatever it holds.
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`>${title}`, { delay: 5 });
    try {
      await page.waitForFunction(
        (t) => Array.from(document.querySelectorAll('.quick-input-widget .monaco-list-row.focused')).some((r) => (r.getAttribute('aria-label') ?? '').includes(t)),
        title,
        { timeout: 15_000 },
      );
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

async function stepTitles(page) {
  await page.waitForSelector('button.getting-started-step[data-step-id$="#tryDemo"]', { timeout: 30_000 });
  return page.$$eval('button.getting-started-step', (els) => els.map((e) => e.textContent ?? ''));
}

/** The walkthrough's markdown is rendered in a webview: look through every frame for the text. */
async function waitInFrames(page, text, timeout = 30_000) {
  const found = await waitFor(async () => {
    for (const frame of page.frames()) {
      const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (body.includes(text)) return true;
    }
    return false;
  }, timeout);
  if (!found) throw new Error(`"${text}" is shown in no frame`);
}

async function waitFor(probe, timeoutMs, giveUp = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    if (giveUp()) return probe();
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

function expect(ok, message) {
  if (!ok) throw new Error(message);
}

function expectEqual(actual, wanted, message) {
  const [a, w] = [JSON.stringify(actual), JSON.stringify(wanted)];
  if (a !== w) throw new Error(`${message ? `${message}: ` : ''}${a} is not ${w}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ensureDebianPackages } = await import('./codeServer.mjs');
  const { root } = await import('../ensureDeps.mjs');
  ensureDebianPackages(['chromium']);
  const s = await runDemoCheck({ root });
  for (const f of s.failures) console.log(`  failed: ${f}`);
  console.log(`\n${s.passed} passed, ${s.failed} failed`);
  process.exit(s.failed > 0 || s.passed === 0 ? 1 : 0);
}
