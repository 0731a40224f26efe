// End-to-end tests in the real VS Code: code-server runs the extension host, Chromium (playwright-core)
// shows the workbench. Each scenario is a workspace folder; its mocha suite runs *inside* the extension
// host (out/test/e2e) and asks this driver, over a loopback HTTP port, to do what a person would do
// (click, type, press keys) and to read what a person would see. The suite asserts through the vscode
// API and the files; results come back as JSON. Everything started here is stopped, also on failure.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCodeServer } from './codeServer.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCENARIO_TIMEOUT_MS = 6 * 60_000;

/**
 * Runs the scenarios; `prepare(name, dir)` fills each workspace before VS Code opens it.
 * Returns { passed, failed, failures }.
 */
export async function runE2E({ root, scenarios, env = {}, prepare }) {
  const results = join(root, 'test-results', 'e2e');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const work = join(tmpdir(), `retl-e2e-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  let page;
  let currentShot = 0;
  const actions = uiActions(() => page, (name) => join(results, `${String(++currentShot).padStart(2, '0')}-${name}.png`));
  const control = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const { action, args } = JSON.parse(body || '{}');
      try {
        const fn = actions[action];
        if (!fn) throw new Error(`unknown UI action ${action}`);
        const value = await fn(args ?? {});
        res.end(JSON.stringify({ ok: true, value: value ?? null }));
      } catch (err) {
        res.end(JSON.stringify({ ok: false, error: String(err?.message ?? err) }));
      }
    });
  });
  await new Promise((r) => control.listen(0, '127.0.0.1', r));
  const driverUrl = `http://127.0.0.1:${control.address().port}`;

  const port = await freePort();
  const userDataDir = join(work, 'user-data');
  Object.assign(process.env, env, { RETL_E2E_DRIVER: driverUrl, RETL_E2E_RESULTS: results, RETL_E2E_USER_DATA: userDataDir });
  let cs;
  let browser;
  const summary = { passed: 0, failed: 0, failures: [] };
  try {
    cs = await startCodeServer({ port, workspace: work, userDataDir, extensionsDir: join(work, 'extensions'), log: 'ignore' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    for (const name of scenarios) {
      const folder = join(work, name);
      mkdirSync(folder, { recursive: true });
      await prepare?.(name, folder);
      const resultFile = join(results, `${name}.json`);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const payload = [
        ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`],
        ['extensionTestsPath', `vscode-remote://127.0.0.1:${port}${join(root, 'out/test/e2e/index.js')}`],
      ];
      console.log(`\n=== e2e: ${name} ===`);
      await page.goto(`${cs.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      const outcome = await waitForFile(resultFile, SCENARIO_TIMEOUT_MS);
      if (!outcome) {
        summary.failed++;
        summary.failures.push(`${name}: no result within ${SCENARIO_TIMEOUT_MS / 1000} s`);
        await page.screenshot({ path: join(results, `${name}-timeout.png`) }).catch(() => undefined);
        printHostLog(userDataDir);
      } else {
        for (const t of outcome.tests) console.log(`  ${t.state === 'passed' ? '✔' : '✗'} ${t.title}${t.error ? `\n      ${t.error.split('\n').join('\n      ')}` : ''}`);
        summary.passed += outcome.passed;
        summary.failed += outcome.failed;
        for (const t of outcome.tests.filter((x) => x.state !== 'passed')) summary.failures.push(`${name}: ${t.title}`);
        if (outcome.failed > 0 || outcome.passed === 0) {
          await page.screenshot({ path: join(results, `${name}-failed.png`) }).catch(() => undefined);
          printHostLog(userDataDir);
          if (outcome.passed === 0 && outcome.failed === 0) {
            summary.failed++;
            summary.failures.push(`${name}: ran no test`);
          }
        }
      }
      await page.close();
      page = undefined;
    }
  } finally {
    await browser?.close().catch(() => undefined);
    cs?.stop();
    control.close();
    rmSync(work, { recursive: true, force: true });
  }
  return summary;
}

async function waitForFile(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // being written
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

function printHostLog(userDataDir) {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return;
  const files = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/exthost\.log$|remoteexthost\.log$|Reverse ETL\.log$/.test(f)) files.push(p);
    }
  };
  walk(logs);
  for (const f of files) {
    const text = readFileSync(f, 'utf8').split('\n').slice(-60).join('\n');
    console.log(`--- ${f} (last lines) ---\n${text}`);
  }
}

/** What the suites in the extension host may ask for: a person's actions and a person's view. */
function uiActions(getPage, shotPath) {
  const page = () => {
    const p = getPage();
    if (!p) throw new Error('no page');
    return p;
  };
  const quickInput = '.quick-input-widget';
  return {
    async screenshot({ name }) {
      const path = shotPath(name);
      await page().screenshot({ path });
      return path;
    },
    async click({ selector, timeout = 20_000 }) {
      await page().click(selector, { timeout });
    },
    async openView({ title }) {
      await page().click(`.activitybar [aria-label*="${title}"]`, { timeout: 30_000 });
    },
    /** Runs a command from the palette by its title, as a person does with F1. */
    async command({ title }) {
      const p = page();
      const wanted = title.replace(/^>/, '');
      // On a loaded machine the first keys can reach the palette before its input listens, so the filter
      // lacks letters and the command never shows (seen once in CI): then close it and type again.
      for (let attempt = 1; ; attempt++) {
        await p.keyboard.press('F1');
        await p.waitForSelector(`${quickInput} input`, { state: 'visible' });
        await p.keyboard.type(`>${title}`.replace(/^>>/, '>'), { delay: 5 });
        // Enter only once the palette has filtered down to the command: a fixed pause picked whatever was
        // highlighted when the first palette of a session was slow to list its commands.
        try {
          await p.waitForFunction(
            ([q, t]) => Array.from(document.querySelectorAll(`${q} .monaco-list-row.focused`)).some((row) => (row.getAttribute('aria-label') ?? row.textContent ?? '').includes(t)),
            [quickInput, wanted],
            { timeout: attempt < 3 ? 15_000 : 30_000 },
          );
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
          await p.keyboard.press('Escape');
        }
      }
      await p.keyboard.press('Enter');
    },
    async type({ text, enter = true }) {
      const p = page();
      await p.keyboard.type(text, { delay: 5 });
      if (!enter) return;
      // In a pick list, Enter only once the list has filtered to what was typed: pressed at once, it took
      // the row focused before (seen once in CI: Delete Model picked another model). Input boxes have no rows.
      await p
        .waitForFunction(
          ([q, t]) => {
            const w = document.querySelector(q);
            const rows = w && w.style.display !== 'none' ? Array.from(w.querySelectorAll('.monaco-list-row')) : [];
            if (rows.length === 0) return true;
            return rows.some((row) => row.classList.contains('focused') && (row.getAttribute('aria-label') ?? row.textContent ?? '').toLowerCase().includes(t));
          },
          [quickInput, text.toLowerCase()],
          { timeout: 10_000 },
        )
        .catch(() => undefined); // a pick whose rows do not show the typed text: Enter as before
      await p.keyboard.press('Enter');
    },
    async press({ key, times = 1 }) {
      for (let i = 0; i < times; i++) await page().keyboard.press(key);
    },
    /** Sets the quick input's whole value at once (a path in the simple file dialog, which completes while one types). */
    async fillQuickInput({ value }) {
      const p = page();
      const input = `${quickInput} input`;
      // The save dialog writes its proposed path once it has listed the folder, over what was filled before
      // (seen: the export went to the proposed file): fill again until the value stays.
      for (let attempt = 1; ; attempt++) {
        await p.fill(input, value);
        await p.waitForTimeout(500);
        if ((await p.$eval(input, (e) => e.value)) === value) return;
        if (attempt >= 5) throw new Error(`the quick input does not keep ${JSON.stringify(value)}`);
      }
    },
    async clearInput() {
      const p = page();
      await p.keyboard.press('Control+A');
      await p.keyboard.press('Backspace');
    },
    /** Waits until the quick input shows `text` (in its title, items, message or placeholder). */
    async waitQuickInput({ text, timeout = 30_000 }) {
      await page().waitForFunction(
        ([sel, t]) => {
          const w = document.querySelector(sel);
          if (!w || w.style.display === 'none') return false;
          const input = w.querySelector('input');
          return (w.textContent ?? '').includes(t) || (input?.getAttribute('placeholder') ?? '').includes(t);
        },
        [quickInput, text],
        { timeout },
      );
    },
    async quickInputText() {
      return page().$eval(quickInput, (w) => ({
        text: w.textContent ?? '',
        placeholder: w.querySelector('input')?.getAttribute('placeholder') ?? '',
        visible: w.style.display !== 'none',
      }));
    },
    /** Waits for an element holding `text`; answers that element's whole text. */
    async waitText({ selector = 'body', text, timeout = 30_000 }) {
      const found = await page().waitForFunction(
        ([s, t]) => Array.from(document.querySelectorAll(s)).map((e) => e.textContent ?? '').find((x) => x.includes(t)),
        [selector, text],
        { timeout },
      );
      return found.jsonValue();
    },
    /** Webviews live in nested iframes: these look through every frame for the element. */
    async frameWait({ selector, text = '', timeout = 30_000 }) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        for (const frame of page().frames()) {
          const found = await frame.$$eval(selector, (els, t) => els.map((e) => e.textContent ?? '').find((x) => x.includes(t)), text).catch(() => undefined);
          if (found !== undefined) return found;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no "${selector}" containing "${text}" in any frame`);
    },
    async frameClick({ selector, timeout = 30_000 }) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        for (const frame of page().frames()) {
          const el = await frame.$(selector).catch(() => null);
          if (el) {
            try {
              await el.click({ timeout: 5_000 });
              return;
            } catch (err) {
              // The element found a moment ago may be gone (a section switched views): look for it again.
              if (!/not attached|detached|Timeout/i.test(String(err?.message ?? err))) throw err;
            }
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no "${selector}" in any frame`);
    },
    /** Waits for the element (a panel shows its editor after a click) and fills it. */
    async frameFill({ selector, value, timeout = 30_000 }) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        for (const frame of page().frames()) {
          const el = await frame.$(selector).catch(() => null);
          if (el) return el.fill(value);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no "${selector}" in any frame`);
    },
    async frameWaitValue({ selector, value, timeout = 30_000 }) {
      const deadline = Date.now() + timeout;
      let last;
      while (Date.now() < deadline) {
        for (const frame of page().frames()) {
          last = await frame.$eval(selector, (e) => e.value).catch(() => last);
          if (last === value) return last;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`"${selector}" holds ${JSON.stringify(last)}, not ${JSON.stringify(value)}`);
    },
    /** How many elements match `selector` over every frame (0: none in any webview). */
    async frameCount({ selector }) {
      let n = 0;
      for (const frame of page().frames()) n += await frame.$$eval(selector, (els) => els.length).catch(() => 0);
      return n;
    },
    async texts({ selector }) {
      return page().$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));
    },
  };
}

