// The model panel as a person sees it, in Chromium, fed with replies the real engine produced on the
// embedded demo warehouse (no hand-written rows).
import { describeRoleRights } from '../../server/src/warehouse/postgres/roleRights';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ModelSummary } from '../../protocol/src/config';
import type { PreviewError, PreviewPage, PreviewResult } from '../../protocol/src/preview';
import type { CheckResult } from '../../protocol/src/verify';
import type { ConnectionActivity, PanelModel, ToWebview } from '../../protocol/src/webviewMessages';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { syncConnection, syncFailures, syncHistory } from '../../server/src/sync/syncConnection';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { startReceiver, type Received } from '../helpers/httpReceiver';
import { PreviewService } from '../../server/src/preview/previewService';
import { verifyCredentials } from '../../server/src/verify/verifyCredentials';
import { DemoWarehouse } from '../../server/src/warehouse/demo/demoAdapter';
import { closeDemoWarehouses, demoStartText, onDemoStart } from '../../server/src/warehouse/demo/demoWarehouse';
import { harnessUrl, launch, posted, send, SHOTS, type Theme } from './harness';

const never = () => new AbortController().signal;
const ok = (r: PreviewResult): PreviewPage => {
  if (!r.ok) throw new Error(r.error.message);
  return r.page;
};

const USERS_SQL = 'SELECT id AS user_id, email, country, last_seen_at FROM public.users ORDER BY id';
// Every kind of number the preview meets, a timestamp with microseconds and a time of day.
const TYPES_SQL = `SELECT id AS user_id, id::bigint * 1000000000 AS big, (id * 1.25)::numeric(12,2) AS amount, id::real / 3 AS ratio, email,
  timestamptz '2026-11-25 10:00:00.123456+00' + id * interval '1 minute' AS seen_at, time '08:30:00.25' AS at_time
FROM public.users ORDER BY id`;
const WIDE_SQL = `SELECT ${Array.from({ length: 24 }, (_, i) => `email AS email_${i + 1}`).join(', ')} FROM public.users ORDER BY id`;
const TRICKY_SQL = `SELECT 1 AS id, '<img src=x onerror=alert(1)>' AS html, NULL::text AS nothing, '' AS blank, repeat('y', 5000) AS long_text
UNION ALL SELECT 1, 'second row', 'x', 'y', 'z'`;

function model(connections: string[]): ModelSummary {
  return { id: 'active_users', name: 'Active users', description: 'Users seen lately', credentials: 'demo', query: 'models/active_users.sql', queryPath: '/w/models/active_users.sql', primaryKey: 'user_id', connections };
}

function panelModel(connections: string[] = []): PanelModel {
  return { model: model(connections), sql: USERS_SQL, credentials: [{ id: 'demo', type: 'demo' }, { id: 'pg', type: 'postgres', host: 'h', database: 'd', user: 'u' }], connections: connections.map((id) => ({ id, model: 'active_users' })) };
}

describe('model panel (webview bundle in Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let dataDir: string;
  let page1: PreviewPage;
  let page2: PreviewPage;
  let tricky: PreviewPage;
  let errorResult: PreviewResult;
  let progress: CheckResult[][];
  let failedChecks: CheckResult[];
  let activity: ConnectionActivity;
  let typed: PreviewPage;
  let wide: PreviewPage;
  /** What the engine tells a waiting user while this fresh demo warehouse starts, in order. */
  const coldStart: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'retl-webview-'));
    const warehouse = new DemoWarehouse(dataDir);
    const previews = new PreviewService();
    const listening = onDemoStart((phase) => {
      const text = demoStartText(phase);
      if (text) coldStart.push(text);
    });
    page1 = ok(await previews.open({ warehouse, dialect: 'postgres', sql: USERS_SQL, primaryKey: 'user_id' }, never()));
    listening.dispose();
    typed = ok(await previews.open({ warehouse, dialect: 'postgres', sql: TYPES_SQL, primaryKey: 'user_id' }, never()));
    wide = ok(await previews.open({ warehouse, dialect: 'postgres', sql: WIDE_SQL }, never()));
    page2 = ok(await previews.page(page1.sessionId, 2, never()));
    tricky = ok(await previews.open({ warehouse, dialect: 'postgres', sql: TRICKY_SQL, primaryKey: 'id' }, never()));
    errorResult = await previews.open({ warehouse, dialect: 'postgres', sql: 'SELECT id,\n       emial\nFROM public.users' }, never());
    progress = [];
    failedChecks = (await verifyCredentials('demo', warehouse, 'missing_schema', (c) => progress.push(c), never())).result.checks;
    await previews.closeAll();
    activity = await realActivity(dataDir);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await closeDemoWarehouses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(theme: Theme = 'light'): Promise<{ page: Page; dialogs: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(harnessUrl(theme));
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    return { page, dialogs };
  }

  const msg = (m: ToWebview) => m;

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the configuration with page 1 of the preview (${theme} theme)`, async () => {
      const { page } = await open(theme);
      await send(page, msg({ type: 'model', data: panelModel() }));
      await send(page, msg({ type: 'preview', page: page1 }));
      assert.equal(await page.textContent('#model-name'), 'Active users');
      assert.equal(await page.textContent('#sql'), USERS_SQL);
      assert.match((await page.textContent('#page-info')) ?? '', /Page 1 · rows 1–50 · 50 fetched · more rows follow/);
      assert.equal(await page.locator('#grid tbody tr').count(), 50);
      const headers = await page.locator('#grid th .col-name').allTextContents();
      assert.deepEqual(headers, ['user_id', 'email', 'country', 'last_seen_at']);
      assert.equal(await page.locator('#grid th.key .col-name').textContent(), 'user_id', 'the primary key column is marked');
      assert.equal(await page.locator('#grid th .col-type').first().textContent(), 'integer');
      await page.screenshot({ path: path.join(SHOTS, `preview-page1-${theme}.png`), fullPage: false });
      await page.close();
    });
  }

  it('pages 1 → 2 → 1: Next and Previous post the page, the rows change', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page1 }));
    await page.click('#next');
    assert.deepEqual((await posted(page)).at(-1), { type: 'page', page: 2 });
    await send(page, msg({ type: 'previewRunning', page: 2 }));
    assert.match((await page.textContent('#running')) ?? '', /Running page 2/);
    await page.click('#cancel-query');
    assert.deepEqual((await posted(page)).at(-1), { type: 'cancel' });
    await send(page, msg({ type: 'preview', page: page2 }));
    assert.equal(await page.locator('#grid tbody tr').first().locator('td').first().textContent(), '51');
    assert.match((await page.textContent('#page-info')) ?? '', /Page 2 · rows 51–100/);
    await page.click('#prev');
    assert.deepEqual((await posted(page)).at(-1), { type: 'page', page: 1 });
    await send(page, msg({ type: 'preview', page: page1 }));
    assert.equal(await page.locator('#grid tbody tr').first().locator('td').first().textContent(), '1');
    // Keyboard: PageDown asks for the next page, arrows move the focused cell.
    await page.locator('#grid td').first().focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await page.evaluate(() => [document.activeElement?.getAttribute('data-row'), document.activeElement?.getAttribute('data-column')]), ['1', '1']);
    await page.keyboard.press('PageDown');
    assert.deepEqual((await posted(page)).at(-1), { type: 'page', page: 2 });
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`Export Results…: disabled before a run, posts exportResults (click or keyboard), shows the export's progress and end (${theme})`, async () => {
      const { page } = await open(theme);
      const disabled = () => page.locator('#export-results').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled);
      await send(page, msg({ type: 'model', data: panelModel() }));
      assert.equal(await page.locator('#export-results').textContent(), 'Export Results…');
      assert.equal(await disabled(), true, 'no query has run in this panel');
      assert.match((await page.getAttribute('#export-results', 'title')) ?? '', /Run the query first/);
      await page.locator('#export-results').click({ force: true });
      assert.ok(!(await posted(page)).some((m) => m.type === 'exportResults'), 'a disabled button posts nothing');
      await send(page, msg({ type: 'previewRunning', page: 1 }));
      assert.equal(await disabled(), true, 'the first run is still in flight');
      await send(page, msg({ type: 'preview', page: page1 }));
      assert.equal(await disabled(), false);
      // Beside the copies, in the same toolbar: the export is of the whole result, the copies of this page.
      assert.deepEqual(
        await page.locator('[role=toolbar] [role=group]').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label'))),
        ['Pages', 'Copy', 'Export'],
      );
      await page.click('#export-results');
      assert.deepEqual((await posted(page)).at(-1), { type: 'exportResults' });
      // Keyboard: Tab reaches it after Page as JSON, Enter presses it.
      await page.locator('#copy-json').focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'export-results');
      await page.keyboard.press('Enter');
      assert.equal((await posted(page)).filter((m) => m.type === 'exportResults').length, 2);
      // The host tells the export's progress: the button waits, the status line counts, Cancel stops it.
      await send(page, msg({ type: 'exportStatus', status: { running: true, rows: 0 } }));
      assert.equal(await disabled(), true, 'one export at a time');
      await send(page, msg({ type: 'exportStatus', status: { running: true, rows: 12_345 } }));
      assert.equal((await page.textContent('#export-status'))?.replace(/\s*Cancel\s*$/, ''), 'Exporting… 12,345 rows');
      assert.equal(await page.locator('#export-status vscode-progress-ring').count(), 1);
      assert.equal(await page.locator('#grid tbody tr').count(), 50, 'the page stays shown while it exports');
      await page.screenshot({ path: path.join(SHOTS, `export-running-${theme}.png`) });
      await page.click('#cancel-export');
      assert.deepEqual((await posted(page)).at(-1), { type: 'cancelExport' });
      await send(page, msg({ type: 'exportStatus', status: { running: false, ok: false, message: 'Export cancelled; nothing was written.' } }));
      assert.equal(await page.textContent('#export-status'), 'Export cancelled; nothing was written.');
      assert.equal(await page.locator('#cancel-export').count(), 0);
      assert.equal(await disabled(), false, 'enabled again once it ended');
      await send(page, msg({ type: 'exportStatus', status: { running: false, ok: true, message: 'Exported 1,000 rows to active_users.csv (84.2 KB) in 0.4 s.' } }));
      assert.equal(await page.textContent('#export-status'), 'Exported 1,000 rows to active_users.csv (84.2 KB) in 0.4 s.');
      await page.screenshot({ path: path.join(SHOTS, `export-done-${theme}.png`) });
      // A failed run shows no rows: nothing to export until a run succeeds again.
      await send(page, msg({ type: 'previewRunning', page: 1 }));
      await send(page, msg({ type: 'previewError', error: (errorResult as { ok: false; error: PreviewError }).error }));
      assert.equal(await disabled(), true);
      assert.equal(await page.locator('#page-info').count(), 0, 'the toolbar keeps only the export once no page shows');
      await page.close();
    });
  }

  it('shows a cell holding <img onerror> as text, NULL apart from "", flags duplicate keys, and cuts long values', async () => {
    const { page, dialogs } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: tricky }));
    const first = page.locator('#grid tbody tr').first().locator('td');
    assert.equal(await first.nth(1).textContent(), '<img src=x onerror=alert(1)>');
    assert.equal(await page.locator('#grid img').count(), 0, 'no element was made from the cell');
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.equal(await first.nth(2).textContent(), 'NULL');
    assert.ok(await first.nth(2).evaluate((td) => td.classList.contains('null')));
    assert.equal(await first.nth(3).textContent(), '');
    assert.ok(await first.nth(3).evaluate((td) => td.classList.contains('empty')));
    assert.notEqual(
      await first.nth(2).evaluate((td) => getComputedStyle(td).fontStyle),
      await first.nth(3).evaluate((td) => getComputedStyle(td).fontStyle),
      'NULL looks different from an empty string',
    );
    assert.match((await page.textContent('#key-duplicates')) ?? '', /Duplicate primary keys so far: 1/);
    assert.equal(await page.locator('#grid tr.flagged').count(), 2);
    assert.match((await first.nth(4).textContent()) ?? '', /show all 5,000 chars/);
    await first.nth(4).locator('a.more').click();
    assert.deepEqual((await posted(page)).at(-1), { type: 'cell', page: 1, row: 0, column: 4 });
    await send(page, msg({ type: 'cellValue', page: 1, row: 0, column: 4, value: 'y'.repeat(5000) }));
    assert.equal((await page.locator('#whole-value textarea').inputValue()).length, 5000);
    await page.locator('#grid td').first().focus();
    await page.click('#copy-row');
    const copy = (await posted(page)).at(-1) as { type: string; text: string };
    assert.equal(copy.type, 'copy');
    assert.deepEqual(JSON.parse(copy.text), { id: 1, html: '<img src=x onerror=alert(1)>', nothing: null, blank: '', long_text: 'y'.repeat(2000) });
    await page.click('#copy-csv');
    const csv = ((await posted(page)).at(-1) as unknown as { text: string }).text.split('\n');
    assert.equal(csv[0], 'id,html,nothing,blank,long_text');
    assert.equal(csv[2], '1,second row,x,y,z');
    await page.screenshot({ path: path.join(SHOTS, 'tricky-values.png') });
    await page.close();
  });

  it('shows the three checks progressing, then the failure with its fix SQL and a copy button', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'showTab', tab: 'settings' }));
    await page.click('#verify');
    assert.deepEqual((await posted(page)).at(-1), { type: 'verify' });
    await send(page, msg({ type: 'verify', checks: progress[0]!, running: true }));
    assert.equal(await page.locator('.check.running vscode-progress-ring').count(), 1, 'a spinner on the running check');
    assert.equal(await page.locator('.check.pending').count(), 2);
    await send(page, msg({ type: 'verify', checks: failedChecks, running: false }));
    const texts = await page.locator('.check').allTextContents();
    assert.match(texts[0]!, /Verifying connection.*passed · \d+ ms/);
    assert.match(texts[1]!, /Able to list schemas.*passed/);
    assert.match(texts[2]!, /Able to access the state schema.*failed.*"missing_schema" does not exist/);
    assert.match((await page.textContent('.check.failed .remediation')) ?? '', /CREATE SCHEMA IF NOT EXISTS "missing_schema";/);
    await page.click('#copy-fix-stateSchema');
    const copy = (await posted(page)).at(-1) as { type: string; text: string };
    assert.equal(copy.type, 'copy');
    assert.match(copy.text, /GRANT USAGE, CREATE ON SCHEMA "missing_schema"/);
    await page.screenshot({ path: path.join(SHOTS, 'verification-failed-light.png') });
    await page.close();
    const dark = await open('dark');
    await send(dark.page, msg({ type: 'model', data: panelModel() }));
    await send(dark.page, msg({ type: 'showTab', tab: 'settings' }));
    await send(dark.page, msg({ type: 'verify', checks: failedChecks, running: false }));
    await dark.page.screenshot({ path: path.join(SHOTS, 'verification-failed-dark.png') });
    await dark.page.close();
  });

  it('shows a passed check that warns (a role that can act outside read-only) with the SQL that removes the right', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'showTab', tab: 'settings' }));
    const warning = describeRoleRights('retl', { superuser: true, roles: [], functions: [] })!;
    const checks = failedChecks.map((c) => (c.id === 'connection' ? { ...c, warning: warning.message, remediation: warning.remediation } : c));
    await send(page, msg({ type: 'verify', checks, running: false }));
    assert.match((await page.textContent('.check.passed .message.warning')) ?? '', /⚠ Role "retl" can act outside a read-only transaction: it is a superuser/);
    assert.match((await page.textContent('.check.passed .remediation')) ?? '', /ALTER ROLE "retl" NOSUPERUSER;/);
    await page.click('#copy-fix-connection');
    assert.deepEqual((await posted(page)).at(-1), { type: 'copy', what: 'fix SQL', text: 'ALTER ROLE "retl" NOSUPERUSER;' });
    await page.screenshot({ path: path.join(SHOTS, 'verification-warning.png') });
    await page.close();
  });

  it('disables delete with the reason while a connection uses the model', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel(['active_users_to_crm']) }));
    await send(page, msg({ type: 'showTab', tab: 'settings' }));
    assert.equal(await page.locator('#delete').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true);
    assert.match((await page.textContent('#delete-reason')) ?? '', /cannot be deleted while a connection uses it: active_users_to_crm/);
    await page.click('#delete', { force: true });
    assert.ok(!(await posted(page)).some((m) => m.type === 'delete'));
    await send(page, msg({ type: 'model', data: panelModel([]) }));
    assert.equal(await page.locator('#delete').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), false);
    await page.click('#delete');
    assert.deepEqual((await posted(page)).at(-1), { type: 'delete' });
    await send(page, msg({ type: 'model', data: panelModel(['active_users_to_crm']) }));
    await send(page, msg({ type: 'showTab', tab: 'sources' }));
    assert.equal(await page.locator('#sources a').textContent(), 'active_users_to_crm');
    await page.click('#sources a');
    assert.deepEqual((await posted(page)).at(-1), { type: 'revealConnection', connectionId: 'active_users_to_crm' });
    await page.close();
  });

  it('lists each connection with its destination, mode and last run, and a Sync Now button', async () => {
    const { page } = await open();
    const data = panelModel(['to_crm', 'parked']);
    data.connections = [
      { id: 'to_crm', model: 'active_users', destination: 'crm_hook', mode: 'mirror', schedule: '1h' },
      { id: 'parked', model: 'active_users' },
    ];
    await send(page, msg({ type: 'model', data }));
    await send(page, msg({ type: 'showTab', tab: 'sources' }));
    assert.match((await page.textContent('#sources li[data-connection="to_crm"]')) ?? '', /→ crm_hook · mirror · every 1h/);
    assert.match((await page.textContent('#sources li[data-connection="parked"]')) ?? '', /no destination yet/);
    const run = { run: 3, startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:00:02.000Z', full: false, added: 7, changed: 10, removed: 5, failed: 1, invalid: 0, skipped: 980, error: null };
    await send(page, msg({ type: 'lastRuns', runs: { to_crm: run, parked: null } }));
    assert.match((await page.textContent('#sources li[data-connection="to_crm"] .last-run')) ?? '', /7 added · 10 changed · 5 removed · 1 failed/);
    await page.click('#sources li[data-connection="to_crm"] vscode-button');
    assert.deepEqual((await posted(page)).at(-1), { type: 'syncNow', connectionId: 'to_crm' });
    await send(page, msg({ type: 'lastRuns', runs: { to_crm: { ...run, finishedAt: null }, parked: null } }));
    assert.match((await page.textContent('#sources li[data-connection="to_crm"] .last-run')) ?? '', /did not finish/);
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows a connection's runs and failed rows on demand, pauses and resumes it, retries its failed rows (${theme})`, async () => {
      const { page } = await open(theme);
      const data = panelModel(['users_hook']);
      data.connections = [{ id: 'users_hook', model: 'active_users', destination: 'hook', mode: 'upsert', schedule: '0 6 * * 1-5', timeZone: 'Europe/Berlin' }];
      await send(page, msg({ type: 'model', data }));
      await send(page, msg({ type: 'showTab', tab: 'sources' }));
      const item = '#sources li[data-connection="users_hook"]';
      assert.match((await page.textContent(item)) ?? '', /→ hook · upsert · cron 0 6 \* \* 1-5 \(Europe\/Berlin\)/);
      assert.equal(await page.isVisible(`${item} .activity`), false, 'closed until asked for');
      await page.click(`${item} .activity-toggle`);
      assert.deepEqual((await posted(page)).at(-1), { type: 'loadActivity', connectionId: 'users_hook' });
      assert.match((await page.textContent(`${item} .activity`)) ?? '', /Reading the run history/);
      await send(page, msg({ type: 'activity', connectionId: 'users_hook', activity }));
      if (!activity.ok) throw new Error(activity.message);
      // What the engine read: two runs, newest first; the two rows the receiver refused twice.
      const runRows = await page.$$eval(`${item} table.history tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.equal(runRows.length, 2);
      assert.deepEqual(runRows.map((r) => [r[0], r[2], r[3], r[5], r[7]]), activity.runs.map((r) => [String(r.run), ...[r.added, r.changed, r.failed, r.skipped].map((n) => n!.toLocaleString('en-US'))]));
      const failed = await page.$$eval(`${item} table.failures tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(failed.map((r) => [r[0], r[1], r[2], r[3]]).sort(), [
        ['3', 'insert', 'no such contact 3', '2'],
        ['4', 'insert', 'no such contact 4', '2'],
      ]);
      const align = await page.$eval(`${item} table.history tbody td.number`, (td) => getComputedStyle(td).textAlign);
      assert.equal(align, 'right', 'counts are right-aligned');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(SHOTS, `sources-activity-${theme}.png`), fullPage: true });
      await page.click(`${item} .retry-failed`);
      assert.deepEqual((await posted(page)).at(-1), { type: 'retryFailed', connectionId: 'users_hook' });
      await page.click(`${item} vscode-button.pause`);
      assert.deepEqual((await posted(page)).at(-1), { type: 'pauseConnection', connectionId: 'users_hook', paused: true });
      // retl.yaml now says paused: the host sends the model again.
      data.connections = [{ ...data.connections[0]!, paused: true }];
      await send(page, msg({ type: 'model', data: { ...data } }));
      assert.match((await page.textContent(item)) ?? '', /· paused/);
      assert.equal((await page.textContent(`${item} vscode-button.pause`))?.trim(), 'Resume');
      await page.click(`${item} vscode-button.pause`);
      assert.deepEqual((await posted(page)).at(-1), { type: 'pauseConnection', connectionId: 'users_hook', paused: false });
      await page.click(`${item} .activity-toggle`);
      assert.equal(await page.isVisible(`${item} .activity`), false, 'closed again');
      await page.close();
    });
  }

  it('edits a mapping with column pickers or as JSON; the key must be sent, a field only once', async () => {
    const { page } = await open();
    const data = panelModel(['to_crm']);
    data.connections = [{ id: 'to_crm', model: 'active_users', destination: 'crm_hook', mode: 'upsert', mapping: { user_id: 'id', email: 'email' } }];
    await send(page, msg({ type: 'model', data }));
    await send(page, msg({ type: 'showTab', tab: 'sources' }));
    await page.click('#sources li[data-connection="to_crm"] vscode-button:has-text("Edit Mapping")');
    assert.deepEqual((await posted(page)).at(-1), { type: 'editMapping', connectionId: 'to_crm' });
    const columns = page1.columns.map((c) => c.name);
    const other = columns.find((c) => c !== 'user_id' && c !== 'email')!;
    await send(page, msg({ type: 'mappingEditor', connectionId: 'to_crm', columns, mapping: { user_id: 'id', email: 'email' }, primaryKey: 'user_id' }));
    assert.equal(await page.inputValue('#mapping input[data-column="user_id"]'), 'id');
    assert.equal(await page.inputValue(`#mapping input[data-column="${other}"]`), '', 'an unmapped column is not sent');
    await page.fill('#mapping input[data-column="user_id"]', '');
    assert.match((await page.textContent('#mapping-problem')) ?? '', /primary key "user_id" must be sent/);
    assert.equal(await page.locator('#mapping-save').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true);
    await page.fill('#mapping input[data-column="user_id"]', 'email');
    assert.match((await page.textContent('#mapping-problem')) ?? '', /"email" is mapped from two columns/);
    await page.fill('#mapping input[data-column="user_id"]', 'id');
    await page.fill(`#mapping input[data-column="${other}"]`, 'name');
    await page.click('#mapping-toggle');
    assert.deepEqual(JSON.parse(await page.inputValue('#mapping-json')), { user_id: 'id', email: 'email', [other]: 'name' });
    await page.fill('#mapping-json', '{"user_id": "id", "nope": "x"}');
    assert.match((await page.textContent('#mapping-problem')) ?? '', /no column "nope"/);
    await page.fill('#mapping-json', '{"user_id": "id", "email": "mail"}');
    await page.click('#mapping-save');
    assert.deepEqual((await posted(page)).at(-1), { type: 'saveMapping', connectionId: 'to_crm', mapping: { user_id: 'id', email: 'mail' } });
    await send(page, msg({ type: 'mappingSaved', connectionId: 'to_crm' }));
    assert.equal(await page.locator('#mapping-editor').count(), 0);
    await page.close();
  });

  it('edits description and query, runs the draft, finishes; errors offer Go to line', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await page.click('#edit');
    await page.fill('#edit-description', 'Edited description');
    await page.fill('#edit-sql', 'SELECT id,\n       emial\nFROM public.users');
    await page.click('#run');
    assert.deepEqual((await posted(page)).at(-1), { type: 'runQuery', sql: 'SELECT id,\n       emial\nFROM public.users' });
    assert.equal(errorResult.ok, false);
    await send(page, msg({ type: 'previewError', error: (errorResult as { error: import('../../protocol/src/preview').PreviewError }).error }));
    assert.match((await page.textContent('#preview-error')) ?? '', /line 2, column 8.*column "emial" does not exist/s);
    await page.click('#goto-line');
    assert.deepEqual((await posted(page)).at(-1), { type: 'goToLine', line: 2, column: 8 });
    await page.click('#finish');
    assert.deepEqual((await posted(page)).at(-1), { type: 'finish', description: 'Edited description', sql: 'SELECT id,\n       emial\nFROM public.users', primaryKey: 'user_id' });
    await page.screenshot({ path: path.join(SHOTS, 'edit-configuration.png') });
    await send(page, msg({ type: 'saved' }));
    assert.equal(await page.locator('#edit').count(), 1, 'back to the read-only view');
    await page.close();
  });

  /** What the panel saved with setState (the harness keeps it in sessionStorage across a reload). */
  const saved = (page: Page) => page.evaluate(() => (window as unknown as { __state: unknown }).__state) as Promise<Record<string, unknown> | null>;

  /** What a hidden-then-shown webview does: a fresh page with the saved state, which says "ready" again. */
  async function recreate(page: Page): Promise<void> {
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  }

  it('keeps its tab, draft and page across hide/show (setState) and gets the rest from the host; renames from the header', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page2 }));
    assert.deepEqual(await saved(page), { tab: 'configuration', page: 2 });
    await recreate(page);
    // The host re-sends what the panel shows on "ready" (client/src/modelPanel.ts resend).
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page2 }));
    await page.waitForSelector('#grid');
    assert.match((await page.textContent('#page-info')) ?? '', /Page 2/);
    await page.click('#rename');
    await page.fill('#rename-input', 'Recently active users');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).at(-1), { type: 'rename', name: 'Recently active users' });
    await page.close();
  });

  it('typing in the SQL editor while results arrive keeps focus, caret and text', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await page.click('#edit');
    await page.click('#edit-sql');
    await page.evaluate(() => document.querySelector<HTMLTextAreaElement>('#edit-sql')!.setSelectionRange(6, 6));
    await page.keyboard.type(' 1 AS one,');
    const editor = () => page.evaluate(() => {
      const a = document.activeElement as HTMLTextAreaElement | null;
      return { id: a?.id, start: a?.selectionStart, end: a?.selectionEnd, value: a?.value };
    });
    const before = await editor();
    assert.deepEqual(before, { id: 'edit-sql', start: 16, end: 16, value: USERS_SQL.replace('SELECT', 'SELECT 1 AS one,') });
    await send(page, msg({ type: 'previewRunning', page: 1 }));
    assert.deepEqual(await editor(), before, 'the run starting');
    await send(page, msg({ type: 'preview', page: page1 }));
    assert.equal(await page.locator('#grid tbody tr').count(), 50, 'the results arrived');
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'verify', checks: progress[0]!, running: true }));
    assert.deepEqual(await editor(), before, 'after the results, a model push and checks');
    await page.keyboard.type(' 2 AS two,');
    assert.equal(await page.inputValue('#edit-sql'), USERS_SQL.replace('SELECT', 'SELECT 1 AS one, 2 AS two,'), 'typing goes on at the caret');
    assert.deepEqual((await saved(page))?.draft, { description: 'Users seen lately', sql: USERS_SQL.replace('SELECT', 'SELECT 1 AS one, 2 AS two,'), primaryKey: 'user_id' });
    await page.close();
  });

  it('an open rename input survives incoming messages', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await page.click('#rename');
    await page.fill('#rename-input', 'Recently act');
    await send(page, msg({ type: 'lastRuns', runs: {} }));
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page1 }));
    assert.deepEqual(await page.evaluate(() => [document.activeElement?.id, (document.activeElement as HTMLInputElement | null)?.value]), ['rename-input', 'Recently act']);
    await page.keyboard.type('ive');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).at(-1), { type: 'rename', name: 'Recently active' });
    assert.equal(await page.locator('#rename-input').count(), 0);
    assert.equal(await page.textContent('#model-name'), 'Active users', 'the name shown is the model\'s until the host says otherwise');
    await page.close();
  });

  it('hide/show during a run: nothing transient is saved; the panel shows the run as the host says it is', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page1 }));
    await page.click('#next');
    await send(page, msg({ type: 'previewRunning', page: 2 }));
    assert.ok(await page.locator('#running').isVisible());
    assert.equal(await page.locator('#run').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true, 'Run is disabled while running');
    const kept = await saved(page);
    assert.deepEqual(kept, { tab: 'configuration', page: 1 }, 'only tab, draft and page number are saved: no run, no pending check');
    // Hidden: the run finishes meanwhile (its reply is lost with the hidden webview). Shown: a new webview.
    await recreate(page);
    await send(page, msg({ type: 'model', data: panelModel() }));
    assert.equal(await page.locator('#running').isVisible(), false, 'not "Running…" from a saved state');
    await send(page, msg({ type: 'preview', page: page2 }));
    assert.equal(await page.locator('#running').isVisible(), false);
    assert.equal(await page.locator('#run').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), false, 'Run is enabled again');
    assert.match((await page.textContent('#page-info')) ?? '', /Page 2/);
    // Hidden and shown again while a run is still in flight: the host re-sends the page shown and the run.
    await recreate(page);
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page2 }));
    await send(page, msg({ type: 'previewRunning', page: 3 }));
    assert.match((await page.textContent('#running')) ?? '', /Running page 3/);
    assert.equal(await page.locator('#run').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true);
    assert.deepEqual(await saved(page), { tab: 'configuration', page: 2 });
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`right-aligns every numeric type, shows timestamps to the second (raw on hover), keeps the header in sight (${theme})`, async () => {
      const { page } = await open(theme);
      await send(page, msg({ type: 'model', data: panelModel() }));
      await send(page, msg({ type: 'preview', page: typed }));
      const types = typed.columns.map((c) => c.type);
      assert.deepEqual(types.slice(0, 4), ['integer', 'bigint', 'numeric', 'double precision'], 'the real warehouse types');
      const align = await page.$$eval('#grid tbody tr:first-child td', (tds) => tds.map((td) => getComputedStyle(td).textAlign));
      assert.deepEqual(align, ['right', 'right', 'right', 'right', 'start', 'start', 'start'], 'numbers right (bigint and numeric arrive as text), the rest left');
      const headAlign = await page.$$eval('#grid th', (ths) => ths.map((th) => getComputedStyle(th).textAlign));
      assert.deepEqual(headAlign.slice(0, 5), ['right', 'right', 'right', 'right', 'left']);
      const seen = page.locator('#grid tbody tr:first-child td').nth(5);
      const raw = String(typed.rows[0]![5]);
      assert.match(raw, /\.123456/, 'the warehouse gave microseconds');
      assert.match((await seen.textContent()) ?? '', /^2026-11-25 10:01:00(\+00(:00)?|Z)?$/);
      assert.equal(await seen.getAttribute('title'), raw, 'the whole value on hover');
      assert.equal(await page.locator('#grid tbody tr:first-child td').nth(6).textContent(), '08:30:00');
      await page.click('#grid tbody tr:first-child td:nth-child(6)');
      await page.click('#copy-cell');
      assert.deepEqual((await posted(page)).at(-1), { type: 'copy', what: 'cell', text: raw }, 'a copy keeps every digit');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(SHOTS, `preview-types-${theme}.png`) });
      // Scrolled down inside the grid, the header row stays at its top.
      const top = await page.$eval('.grid-wrap', (w) => {
        w.scrollTop = 600;
        return w.getBoundingClientRect().top;
      });
      await page.waitForTimeout(50);
      const th = await page.$eval('#grid th', (h) => h.getBoundingClientRect().top);
      assert.ok(Math.abs(th - top) <= 2, `header at ${th}, grid top at ${top}`);
      assert.ok(await page.$eval('.grid-wrap', (w) => w.scrollTop > 0), 'the grid did scroll');
      await page.screenshot({ path: path.join(SHOTS, `preview-sticky-header-${theme}.png`) });
      await page.close();
    });
  }

  it('fits columns to their values, resizes one by dragging its edge or with Alt+arrows, and scrolls sideways when wide', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: wide }));
    const overflow = await page.$eval('.grid-wrap', (w) => [w.scrollWidth, w.clientWidth]);
    assert.ok(overflow[0]! > overflow[1]!, `24 columns are wider than the panel: ${overflow.join(' vs ')}`);
    const widths = () => page.$$eval('#grid th', (ths) => ths.map((th) => Math.round(th.getBoundingClientRect().width)));
    const before = await widths();
    assert.ok(before.every((w) => w >= 60 && w <= 500), `sensible widths: ${before.join(', ')}`);
    const grip = await page.locator('#grid th').nth(1).locator('.col-resizer').boundingBox();
    assert.ok(grip);
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 2 + 120, grip.y + grip.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = await widths();
    assert.ok(Math.abs(dragged[1]! - before[1]! - 120) <= 3, `column 2 is 120 px wider: ${before[1]} → ${dragged[1]}`);
    assert.deepEqual([dragged[0], dragged[2]], [before[0], before[2]], 'the others keep their widths');
    await page.locator('#grid tbody td[data-column="2"]').first().focus();
    await page.keyboard.press('Alt+ArrowLeft');
    assert.deepEqual(await widths(), dragged, 'Alt+← alone is VS Code\'s Go Back: the grid leaves it alone');
    await page.keyboard.press('Shift+Alt+ArrowLeft');
    const narrowed = await widths();
    assert.ok(Math.abs(narrowed[2]! - (before[2]! - 24)) <= 3, `Shift+Alt+← narrows the focused column: ${before[2]} → ${narrowed[2]}`);
    assert.equal(narrowed[1], dragged[1]);
    // The next page of the same columns keeps the widths given; another query's columns start fitted.
    await send(page, msg({ type: 'preview', page: { ...wide, page: 2 } }));
    assert.deepEqual(await widths(), narrowed, 'widths kept across pages');
    await send(page, msg({ type: 'preview', page: page1 }));
    await send(page, msg({ type: 'preview', page: wide }));
    assert.deepEqual(await widths(), narrowed, 'and when the same columns come back');
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`a failed run after a good one shows the error and no rows of the earlier run (${theme})`, async () => {
      const { page } = await open(theme);
      await send(page, msg({ type: 'model', data: panelModel() }));
      await send(page, msg({ type: 'preview', page: page1 }));
      await send(page, msg({ type: 'previewRunning', page: 1 }));
      assert.equal(await page.locator('#grid').count(), 1, 'the page stays while the next run is in flight');
      await send(page, msg({ type: 'previewError', error: (errorResult as { error: import('../../protocol/src/preview').PreviewError }).error }));
      assert.match((await page.textContent('#preview-error')) ?? '', /column "emial" does not exist/);
      assert.equal(await page.locator('#grid').count(), 0, 'no grid under the error');
      assert.equal(await page.isVisible('#page-info'), false, 'no "Page 1 · rows 1–50" of the earlier run');
      await page.screenshot({ path: path.join(SHOTS, `failed-after-good-${theme}.png`) });
      await page.close();
    });

    it(`tells what the demo warehouse is doing while the first run waits for it (${theme})`, async () => {
      // What the engine said while the fresh data directory of this test started: created, then seeded.
      assert.deepEqual(coldStart, [demoStartText('creating'), demoStartText('seeding')]);
      const { page } = await open(theme);
      await send(page, msg({ type: 'model', data: panelModel() }));
      await send(page, msg({ type: 'previewRunning', page: 1 }));
      assert.match((await page.textContent('#running')) ?? '', /Running page 1/);
      for (const message of coldStart) {
        await send(page, msg({ type: 'previewStatus', message }));
        const shown = (await page.textContent('#running')) ?? '';
        assert.ok(shown.includes(message) && !shown.includes('Running page'), shown);
      }
      assert.match((await page.textContent('#running')) ?? '', /first time: creating the sample data, step 2 of 2/);
      assert.ok(await page.locator('#running vscode-progress-ring').isVisible(), 'with a progress ring');
      assert.ok(await page.locator('#cancel-query').isVisible(), 'and Cancel');
      await page.screenshot({ path: path.join(SHOTS, `cold-start-${theme}.png`) });
      await send(page, msg({ type: 'preview', page: page1 }));
      assert.equal(await page.isVisible('#running'), false);
      await send(page, msg({ type: 'previewRunning', page: 1 }));
      await send(page, msg({ type: 'previewStatus', message: coldStart[1]! }));
      await send(page, msg({ type: 'previewStatus' }));
      assert.match((await page.textContent('#running')) ?? '', /Running page 1/, 'once the warehouse is up the run is told as any other');
      await send(page, msg({ type: 'preview', page: page1 }));
      await send(page, msg({ type: 'previewStatus', message: coldStart[0]! }));
      assert.equal(await page.isVisible('#running'), false, 'a status after the run ended shows nothing');
      await page.close();
    });

    it(`shows and edits the primary key in the Configuration tab; a long query is folded above the preview (${theme})`, async () => {
      const { page } = await open(theme);
      const longSql = `${USERS_SQL.replace(' FROM', '\nFROM')}\n${Array.from({ length: 80 }, (_, i) => `-- note ${i + 1}`).join('\n')}`;
      await send(page, msg({ type: 'model', data: { ...panelModel(), sql: longSql } }));
      await send(page, msg({ type: 'preview', page: page1 }));
      assert.match((await page.textContent('#primary-key')) ?? '', /PK\s*user_id/);
      assert.match((await page.textContent('#model-id')) ?? '', /primary key user_id/);
      assert.match((await page.textContent('#sql-summary')) ?? '', /Query · 82 lines/);
      const gridTop = (await page.locator('#grid').boundingBox())!.y;
      assert.ok(gridTop < 800, `the preview starts within the first screen (y = ${gridTop})`);
      await page.screenshot({ path: path.join(SHOTS, `configuration-key-${theme}.png`) });
      await page.click('#sql-summary');
      assert.equal(await page.isVisible('#sql'), false, 'the query folds away');
      await page.click('#edit');
      assert.equal(await page.inputValue('#edit-key'), 'user_id');
      assert.deepEqual(await page.$$eval('#edit-key-columns option', (os) => os.map((o) => (o as HTMLOptionElement).value)), page1.columns.map((c) => c.name), 'the last result\'s columns are offered');
      await page.fill('#edit-key', ' email ');
      const before = (await posted(page)).length;
      await page.focus('#edit-key');
      await page.keyboard.press('PageDown');
      assert.equal((await posted(page)).length, before, 'PageDown in the key input asks for no page');
      await page.screenshot({ path: path.join(SHOTS, `configuration-edit-key-${theme}.png`) });
      await page.click('#finish');
      assert.deepEqual((await posted(page)).at(-1), { type: 'finish', description: 'Users seen lately', sql: longSql, primaryKey: 'email' });
      await send(page, msg({ type: 'saved' }));
      const none = panelModel();
      delete none.model.primaryKey;
      await send(page, msg({ type: 'model', data: none }));
      assert.match((await page.textContent('#primary-key')) ?? '', /No primary key: a sync needs one/);
      await page.click('#edit');
      assert.equal(await page.inputValue('#edit-key'), '');
      await page.click('#finish');
      assert.equal(((await posted(page)).at(-1) as { primaryKey?: string }).primaryKey, '', 'an empty key removes it');
      await page.close();
    });

    it(`settings: credentials described, Delete apart from Verify as a secondary danger button; Sources says what it lists (${theme})`, async () => {
      const { page } = await open(theme);
      await send(page, msg({ type: 'model', data: panelModel(['to_crm']) }));
      await send(page, msg({ type: 'showTab', tab: 'settings' }));
      assert.deepEqual(await page.$$eval('#credentials-select option', (os) => os.map((o) => o.textContent)), ['demo — embedded demo warehouse', 'pg — PostgreSQL · u@h:5432/d']);
      assert.equal(await page.locator('.danger-zone #delete').count(), 1, 'Delete sits in its own box');
      assert.equal(await page.locator('.danger-zone #verify').count(), 0);
      assert.equal(await page.locator('#delete').evaluate((b) => (b as HTMLElement & { secondary: boolean }).secondary), true);
      assert.equal(await page.locator('#verify').evaluate((b) => (b as HTMLElement & { secondary: boolean }).secondary), false, 'Verify stays the primary action');
      await page.screenshot({ path: path.join(SHOTS, `settings-${theme}.png`), fullPage: true });
      await send(page, msg({ type: 'showTab', tab: 'sources' }));
      assert.equal(await page.textContent('#sources-subtitle'), 'Connections that use this model');
      await page.close();
    });
  }

  it('a malformed message to the panel changes nothing', async () => {
    const { page } = await open();
    await send(page, msg({ type: 'model', data: panelModel() }));
    await send(page, msg({ type: 'preview', page: page1 }));
    const before = await page.locator('#root').innerHTML();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const junk of [null, 'preview', 42, { type: 'nope' }, { kind: 'preview' }]) await send(page, junk);
    assert.equal(await page.locator('#root').innerHTML(), before);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

/**
 * A connection's activity as the engine reads it after two real syncs of the demo warehouse's users to a
 * local receiver that refuses keys 3 and 4 both times.
 */
async function realActivity(dir: string): Promise<ConnectionActivity> {
  const receiver = await startReceiver();
  receiver.answer = (r: Received) => {
    const keys = (r.body as { batch: { key: string }[] }).batch.map((i) => i.key);
    return { status: 200, body: { rejected: keys.filter((k) => k === '3' || k === '4').map((key) => ({ key, reason: `no such contact ${key}` })) } };
  };
  const ws = mkdtempSync(path.join(tmpdir(), 'retl-webview-sync-'));
  writeFileSync(path.join(ws, 'users.sql'), 'SELECT id, email FROM public.users\n');
  writeFileSync(
    path.join(ws, 'retl.yaml'),
    `version: 1\ncredentials:\n  - id: demo\n    type: demo\nmodels:\n  - id: users\n    name: Users\n    credentials: demo\n    query: users.sql\n    primaryKey: id\ndestinations:\n  - id: hook\n    type: webhook\n    url: ${receiver.url}/hook\nconnections:\n  - id: users_hook\n    model: users\n    destination: hook\n`,
  );
  const store = new ConfigStore(path.join(ws, 'retl.yaml'));
  await store.load();
  const engine = new Engine(store, NO_STORED_SECRETS, dir);
  try {
    const signal = never();
    await syncConnection(engine, 'users_hook', { signal, retryDelaysMs: [] });
    await syncConnection(engine, 'users_hook', { signal, retryDelaysMs: [] });
    return { ok: true, runs: await syncHistory(engine, 'users_hook', signal), failures: await syncFailures(engine, 'users_hook', signal) };
  } finally {
    await engine.dispose();
    await receiver.close();
    rmSync(ws, { recursive: true, force: true });
  }
}
