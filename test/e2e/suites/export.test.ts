// Export Results… from the model panel in the real VS Code: Run Query, then the save dialog (code-server's
// own, a quick input), the progress notification, the outcome, and the file on disk; the export of an
// edited run writes that text's rows; Cancel in the notification of a slow export leaves no file.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventually, ui, workspaceDir } from '../ui';

const MODEL_SQL = () => readFileSync(path.join(workspaceDir(), 'models', 'accounts_mrr.sql'), 'utf8').trim();

async function openModel(name: string): Promise<void> {
  await ui('command', { title: 'Reverse ETL: Open Model' });
  await ui('waitQuickInput', { text: 'Model to open' });
  await ui('type', { text: name });
  await ui('frameWait', { selector: '#model-name', text: name });
}

/** Export Results… in the panel, then the file's path typed into the save dialog. */
async function exportTo(name: string, file: string): Promise<void> {
  await ui('frameClick', { selector: '#export-results:not([disabled])' });
  await ui('waitQuickInput', { text: `Export the results of "${name}"` });
  await ui('fillQuickInput', { value: file });
  await ui('press', { key: 'Enter' });
}

/** The CSV's data rows: what follows the header (the file ends with a newline). */
function csvLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe('Export Results… in VS Code', () => {
  let count: number;

  it('is there but disabled before the query ran; exports every row to the file picked, with the outcome and Open File', async () => {
    await ui('openView', { title: 'Reverse ETL' });
    await openModel('Accounts by MRR');
    assert.equal(await ui<number>('frameCount', { selector: '#export-results[disabled]' }), 1, 'disabled before a run');
    await ui('frameClick', { selector: '#run' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–50', timeout: 90_000 });
    const file = path.join(workspaceDir(), 'accounts.csv');
    await exportTo('Accounts by MRR', file);
    const toast = await ui<string>('waitText', { selector: '.notifications-toasts', text: 'Exported', timeout: 90_000 });
    const m = /Exported ([\d,]+) rows to accounts\.csv \([\d.]+ (B|KB|MB)\) in [\d.]+ m?s\./.exec(toast);
    assert.ok(m, toast);
    assert.match(toast, /Open File/);
    await ui('screenshot', { name: 'export-done' });
    const rows = Number(m[1]!.replace(/,/g, ''));
    const lines = await eventually(() => (existsSync(file) ? csvLines(file) : undefined), 'the file on disk');
    assert.equal(lines[0], 'account_id,name,industry,plan,mrr,seats', 'a header row of the columns');
    assert.equal(lines.length - 1, rows, 'one line per row, as the message says');
    assert.ok(rows > 50, `more than the page shown (${rows})`);
    // The panel says it too, and the button is back.
    await ui('frameWait', { selector: '#export-status', text: `Exported ${m[1]} rows to accounts.csv` });
    assert.equal(await ui<number>('frameCount', { selector: '#export-results[disabled]' }), 0);
    count = rows;
  });

  it('writes as many rows as the model\'s SELECT count(*), and exports the edited text that ran (JSON Lines)', async () => {
    await ui('frameClick', { selector: '#edit' });
    await ui('frameFill', { selector: '#edit-sql', value: `SELECT count(*) AS n FROM (${MODEL_SQL()}) AS q` });
    await ui('frameClick', { selector: '#run' });
    // The one row of the count, not the first page of the run before it.
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–1 · 1 fetched', timeout: 60_000 });
    const n = Number(await ui<string>('frameWait', { selector: '#grid tbody td', text: '' }));
    assert.equal(n, count, 'the export has every row of the model');
    // The export runs what the panel ran: the unsaved draft, not the query file.
    const file = path.join(workspaceDir(), 'count.jsonl');
    await exportTo('Accounts by MRR', file);
    await ui('waitText', { selector: '.notifications-toasts', text: 'Exported 1 row to count.jsonl', timeout: 90_000 });
    // count(*) is a bigint: exact numbers are strings in JSON Lines, as the preview shows them.
    assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown), [{ n: String(count) }]);
    await ui('frameClick', { selector: '#cancel-edit' });
  });

  it('Cancel in the notification of a slow export stops it: no file, and it says nothing was written', async () => {
    await openModel('Slow series');
    await ui('frameClick', { selector: '#run' });
    await ui('frameWait', { selector: '#page-info', text: 'Page 1 · rows 1–50', timeout: 120_000 });
    const file = path.join(workspaceDir(), 'slow.csv');
    await exportTo('Slow series', file);
    await ui('waitText', { selector: '.notifications-toasts', text: 'Exporting "Slow series"', timeout: 30_000 });
    // Rows are counted while it runs, in the notification and in the panel.
    await ui('waitText', { selector: '.notifications-toasts', text: 'rows so far', timeout: 90_000 });
    await ui('frameWait', { selector: '#export-status', text: 'Exporting…' });
    assert.equal(await ui<number>('frameCount', { selector: '#export-results[disabled]' }), 1, 'one export of a panel at a time');
    await ui('screenshot', { name: 'export-progress' });
    await ui('click', { selector: '.notifications-toasts .monaco-button:has-text("Cancel")' });
    await ui('waitText', { selector: '.notifications-toasts', text: 'Export cancelled; nothing was written.', timeout: 60_000 });
    assert.ok(!existsSync(file), 'no file at the path');
    assert.deepEqual(readdirSync(workspaceDir()).filter((f) => f.includes('slow')), [], 'no partial file beside it');
    await ui('frameWait', { selector: '#export-status', text: 'Export cancelled; nothing was written.' });
    assert.equal(await ui<number>('frameCount', { selector: '#export-results[disabled]' }), 0, 'the button is back');
  });

  it('Cancel in the panel stops it too', async () => {
    const file = path.join(workspaceDir(), 'slow-again.csv');
    await exportTo('Slow series', file);
    await ui('frameWait', { selector: '#export-status', text: 'Exporting…', timeout: 30_000 });
    await ui('frameClick', { selector: '#cancel-export' });
    await ui('frameWait', { selector: '#export-status', text: 'Export cancelled; nothing was written.', timeout: 60_000 });
    assert.ok(!existsSync(file), 'no file at the path');
    assert.deepEqual(readdirSync(workspaceDir()).filter((f) => f.includes('slow')), []);
  });

  it('from the palette, a model with no panel exports its query file, to <model id>.csv in the last folder by default', async () => {
    await ui('command', { title: 'Reverse ETL: Export Results...' });
    await ui('waitQuickInput', { text: 'Model whose results to export' });
    await ui('type', { text: 'Active users' });
    await ui('waitQuickInput', { text: 'Export the results of "Active users"' });
    await ui('press', { key: 'Enter' }); // the proposed file
    const toast = await ui<string>('waitText', { selector: '.notifications-toasts', text: 'to active_users.csv', timeout: 90_000 });
    const rows = Number(/Exported ([\d,]+) rows? to active_users\.csv/.exec(toast)?.[1]?.replace(/,/g, '') ?? NaN);
    const lines = csvLines(path.join(workspaceDir(), 'active_users.csv'));
    assert.equal(lines[0], 'user_id,email,full_name,country,account_name,plan,last_seen_at');
    assert.equal(lines.length - 1, rows, toast);
  });
});
