// The model panel's state, without a DOM: reduce (messages from the extension and UiEvents) and the
// durable slice that setState keeps across hide/show.
import { strict as assert } from 'node:assert';
import type { PreviewPage } from '../../protocol/src/preview';
import type { PanelModel } from '../../protocol/src/webviewMessages';
import { canExport, durable, initialState, mappingOf, mappingProblem, reduce, type PanelEvent, type PanelState } from '../../webview/src/state';
import { isNumericType, isTimeType, shortTime } from '../../webview/src/cells';

const data: PanelModel = {
  model: { id: 'm', name: 'M', description: 'about m', credentials: 'demo', query: 'models/m.sql', queryPath: '/w/models/m.sql', primaryKey: 'id', connections: [] },
  sql: 'SELECT 1 AS id',
  credentials: [{ id: 'demo', type: 'demo' }],
  connections: [],
};

function pageOf(n: number): PreviewPage {
  return {
    sessionId: 's',
    page: n,
    pageSize: 50,
    columns: [{ name: 'id', type: 'integer' }],
    rows: [[n]],
    rowsSoFar: 50 * n,
    hasMore: true,
    keys: { column: 'id', missing: false, duplicates: [], flaggedRows: [] },
    ms: 1,
  };
}

const run = (s: PanelState, ...events: PanelEvent[]) => events.reduce(reduce, s);

describe('model panel state (reduce, durable)', () => {
  it('starts on Configuration and takes only tab, draft and page from what setState kept', () => {
    assert.deepEqual(durable(initialState()), { tab: 'configuration' });
    const s = initialState({ tab: 'sources', draft: { description: 'd', sql: 'SELECT 2' }, page: 3, running: 2, verifying: true, preview: { running: 2 } });
    assert.deepEqual(durable(s), { tab: 'sources', draft: { description: 'd', sql: 'SELECT 2', primaryKey: '' }, page: 3 }, 'a draft saved before the key was editable has none');
    assert.equal(initialState({ draft: { description: 'd', sql: 'x', primaryKey: 'id' } }).draft?.primaryKey, 'id');
    assert.equal(s.preview.running, undefined, 'a saved run in flight is not believed');
    assert.equal(s.verifying, false);
    for (const junk of [null, 7, 'x', { tab: 'nope', draft: { sql: 1 }, page: -1 }]) assert.deepEqual(durable(initialState(junk)), { tab: 'configuration' });
  });

  it('a run: previewRunning then preview; the durable slice never holds the run', () => {
    let s = run(initialState(), { type: 'model', data }, { type: 'preview', page: pageOf(1) }, { type: 'focusCell', row: 0, column: 0 });
    s = reduce(s, { type: 'previewRunning', page: 2 });
    assert.equal(s.preview.running, 2);
    assert.equal(s.preview.page?.page, 1, 'the page shown stays while the next one runs');
    assert.deepEqual(durable(s), { tab: 'configuration', page: 1 });
    assert.ok(!JSON.stringify(durable(s)).includes('running'));
    s = reduce(s, { type: 'preview', page: pageOf(2) });
    assert.equal(s.preview.running, undefined);
    assert.deepEqual(durable(s), { tab: 'configuration', page: 2 });
    s = run(s, { type: 'previewRunning', page: 3 }, { type: 'previewError', error: { kind: 'cancelled', message: 'Cancelled' } });
    assert.equal(s.preview.running, undefined);
    assert.equal(s.preview.error?.kind, 'cancelled');
    assert.equal(s.preview.page, undefined, 'no rows of an earlier run under the error');
    s = reduce(s, { type: 'previewRunning', page: 3 });
    assert.equal(s.preview.error, undefined, 'a new run clears the error');
  });

  it('a failed run after a good one leaves no page; a warehouse status shows only while a run waits', () => {
    let s = run(initialState(), { type: 'model', data }, { type: 'preview', page: pageOf(1) });
    assert.equal(reduce(s, { type: 'previewStatus', message: 'Starting' }), s, 'no run: a status is not shown');
    s = run(s, { type: 'previewRunning', page: 1 }, { type: 'previewStatus', message: 'Starting the demo warehouse' });
    assert.equal(s.preview.status, 'Starting the demo warehouse');
    assert.equal(s.preview.page?.page, 1, 'the page stays while the new run is in flight');
    s = reduce(s, { type: 'previewError', error: { kind: 'syntax', message: 'syntax error at or near "FORM"' } });
    assert.deepEqual(s.preview, { error: { kind: 'syntax', message: 'syntax error at or near "FORM"' } });
    s = run(s, { type: 'previewRunning', page: 1 });
    assert.equal(s.preview.status, undefined, 'a new run starts without the old status');
    s = run(s, { type: 'preview', page: pageOf(1) }, { type: 'previewRunning', page: 2 }, { type: 'previewError', paging: true, error: { kind: 'cancelled', message: 'Cancelled' } });
    assert.equal(s.preview.page?.page, 1, 'a page that fails (Next, then Cancel) leaves the page shown: it is still this query\'s');
    assert.equal(s.preview.error?.kind, 'cancelled');
    s = run(s, { type: 'previewRunning', page: 1 });
    s = reduce(s, { type: 'preview', page: pageOf(1) });
    assert.equal(s.preview.status, undefined);
    assert.equal(s.preview.page?.page, 1);
  });

  it('replaces only the slice an event changes, and returns the same state when nothing changes', () => {
    const s = run(initialState(), { type: 'model', data }, { type: 'verify', checks: [], running: true }, { type: 'preview', page: pageOf(1) });
    const t = reduce(s, { type: 'previewRunning', page: 2 });
    assert.notEqual(t.preview, s.preview);
    assert.equal(t.data, s.data);
    assert.equal(t.checks, s.checks);
    assert.equal(t.focus, s.focus);
    assert.equal(reduce(s, { type: 'showTab', tab: 'configuration' }), s);
    assert.equal(reduce(s, { type: 'selectTab', tab: 'configuration' }), s);
    assert.equal(reduce(s, { type: 'focusCell', row: 0, column: 0 }), s);
    assert.equal(reduce(s, { type: 'editDraft', sql: 'x' }), s, 'no draft while not editing');
    assert.equal(reduce(s, { type: 'noSuchMessage' } as unknown as PanelEvent), s, 'an unknown message changes nothing');
  });

  it('editing: the draft starts from the model, follows the typing, is durable, and ends on saved', () => {
    let s = run(initialState(), { type: 'model', data }, { type: 'startEdit' });
    assert.deepEqual(s.draft, { description: 'about m', sql: 'SELECT 1 AS id', primaryKey: 'id' });
    s = reduce(s, { type: 'editDraft', sql: 'SELECT 2 AS id' });
    const draftBefore = s.draft;
    s = reduce(s, { type: 'model', data: { ...data, sql: 'SELECT 3 AS id' } });
    assert.equal(s.draft, draftBefore, 'a model pushed while editing leaves the draft alone');
    assert.deepEqual(durable(s), { tab: 'configuration', draft: { description: 'about m', sql: 'SELECT 2 AS id', primaryKey: 'id' } });
    assert.equal(reduce(s, { type: 'editDraft', primaryKey: '' }).draft?.primaryKey, '', 'the key can be removed');
    assert.equal(reduce(s, { type: 'editDraft', primaryKey: 'id' }), s, 'the same key changes nothing');
    assert.equal(reduce(s, { type: 'saved' }).draft, undefined);
    assert.equal(reduce(s, { type: 'cancelEdit' }).draft, undefined);
  });

  it('rename, tabs, verify and last runs', () => {
    let s = run(initialState(), { type: 'model', data }, { type: 'openRename' });
    assert.equal(s.renaming, true);
    s = reduce(s, { type: 'model', data });
    assert.equal(s.renaming, true, 'a message does not close the rename input');
    s = run(s, { type: 'closeRename' }, { type: 'showTab', tab: 'settings' }, { type: 'verify', checks: [], running: true });
    assert.deepEqual([s.renaming, s.tab, s.verifying], [false, 'settings', true]);
    assert.deepEqual(durable(s), { tab: 'settings' });
    s = reduce(s, { type: 'lastRuns', runs: { c: null } });
    assert.deepEqual(s.lastRuns, { c: null });
  });

  it('export: possible once a page shows, not while this panel exports; its status is never durable', () => {
    let s = reduce(initialState(), { type: 'model', data });
    assert.equal(canExport(s), false, 'no run yet');
    s = run(s, { type: 'previewRunning', page: 1 });
    assert.equal(canExport(s), false, 'the first run is still in flight');
    s = reduce(s, { type: 'preview', page: pageOf(1) });
    assert.equal(canExport(s), true);
    s = reduce(s, { type: 'exportStatus', status: { running: true, rows: 0 } });
    assert.equal(canExport(s), false, 'one export of this panel at a time');
    const before = s;
    s = reduce(s, { type: 'exportStatus', status: { running: true, rows: 12_345 } });
    assert.deepEqual(s.export, { running: true, rows: 12_345 });
    assert.equal(s.preview, before.preview, 'progress leaves the preview slice alone (the grid is not rebuilt)');
    assert.deepEqual(durable(s), { tab: 'configuration', page: 1 }, 'an export in flight is not kept across hide/show: the host re-sends it');
    assert.equal(initialState({ ...durable(s), export: { running: true, rows: 5 } }).export, undefined);
    s = reduce(s, { type: 'exportStatus', status: { running: false, ok: false, message: 'Export cancelled; nothing was written.' } });
    assert.equal(canExport(s), true, 'enabled again once it ended');
    s = run(s, { type: 'previewRunning', page: 2 }, { type: 'preview', page: pageOf(2) });
    assert.equal(canExport(s), true, 'another page of the same run');
    s = run(s, { type: 'previewRunning', page: 1 }, { type: 'previewError', error: { kind: 'syntax', message: 'syntax error' } });
    assert.equal(canExport(s), false, 'a failed run shows no rows, so there is nothing to export');
    assert.equal(s.export?.running, false, 'the last export\'s status stays until the next');
  });

  it('the mapping editor: pickers and JSON edit one mapping; the key must be sent, a field only once', () => {
    let s = reduce(initialState(), { type: 'mappingEditor', connectionId: 'c', columns: ['id', 'email', 'x'], mapping: { id: 'id', email: 'email' }, primaryKey: 'id' });
    assert.equal(s.tab, 'sources');
    assert.deepEqual(s.mapping?.fields, { id: 'id', email: 'email', x: '' });
    s = reduce(s, { type: 'mapField', column: 'id', field: '' });
    assert.match(mappingProblem(s.mapping!) ?? '', /primary key "id" must be sent/);
    s = reduce(s, { type: 'mapField', column: 'id', field: 'email' });
    assert.match(mappingProblem(s.mapping!) ?? '', /"email" is mapped from two columns/);
    s = run(s, { type: 'toggleMappingJson' }, { type: 'mapJsonError', message: 'bad JSON' });
    assert.equal(mappingProblem(s.mapping!), 'bad JSON');
    s = reduce(s, { type: 'mapJson', fields: { id: ' id ', x: 'name' } });
    assert.equal(mappingProblem(s.mapping!), undefined);
    assert.deepEqual(mappingOf(s.mapping!), { id: 'id', x: 'name' });
    assert.equal(reduce(s, { type: 'mappingSaved', connectionId: 'other' }), s);
    assert.equal(reduce(s, { type: 'mappingSaved', connectionId: 'c' }).mapping, undefined);
    const fresh = reduce(initialState(), { type: 'mappingEditor', connectionId: 'c', columns: ['a', 'b'], mapping: null });
    assert.deepEqual(fresh.mapping?.fields, { a: 'a', b: 'b' }, 'without a mapping every column goes out under its own name');
  });
});

describe('preview cells by column type (cells.ts)', () => {
  it('knows the numeric types of PostgreSQL and Snowflake, and nothing else', () => {
    for (const t of ['smallint', 'integer', 'bigint', 'numeric', 'numeric(12,2)', 'real', 'double precision', 'money', 'NUMBER(38,0)', 'NUMBER(10,2)', 'FLOAT', 'DECIMAL(5,1)', 'INTEGER', 'DECFLOAT']) assert.ok(isNumericType(t), t);
    for (const t of ['text', 'interval', 'VARCHAR', 'timestamp with time zone', 'TIMESTAMP_NTZ', 'boolean', 'jsonb', 'integer[]', 'numeric(10,2)[]', 'int4range', 'number_thing', 'inet', 'VARIANT']) assert.ok(!isNumericType(t), t);
  });

  it('shortens timestamps and times to the second and keeps the zone; leaves other text alone', () => {
    assert.ok(isTimeType('timestamp with time zone') && isTimeType('TIMESTAMP_LTZ') && isTimeType('time without time zone') && !isTimeType('date'));
    assert.equal(shortTime('2026-11-25 10:01:00.123456+00'), '2026-11-25 10:01:00+00');
    assert.equal(shortTime('2026-11-25T10:01:00.123456789+02:00'), '2026-11-25 10:01:00+02:00');
    assert.equal(shortTime('2026-11-25T10:01:00Z'), '2026-11-25 10:01:00Z');
    assert.equal(shortTime('2026-11-25 10:01:00'), '2026-11-25 10:01:00');
    assert.equal(shortTime('08:30:00.25'), '08:30:00');
    assert.equal(shortTime('infinity'), 'infinity', 'PostgreSQL\'s infinity stays');
    assert.equal(shortTime('294276-12-31 23:59:59.999999+00'), '294276-12-31 23:59:59+00');
    assert.equal(shortTime('not a time'), 'not a time');
  });
});
