// The "did you mean" quick fix without a server: how a suggestion is written into the text, and when the
// code action is offered (only while the misspelt name is still there, only to requests for quick fixes).
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeActionParams, Diagnostic } from 'vscode-languageserver/node';
import { nameFixData, quickFixes } from '../../server/src/lsp/quickFixes';
import { spellAs } from '../../server/src/sql/nameSpelling';

describe('"did you mean" quick fix', () => {
  it('writes the suggestion so it resolves to the catalog name, in the case the user writes names', () => {
    assert.equal(spellAs('email', 'emial', 'postgres'), 'email');
    assert.equal(spellAs('email', 'EMIAL', 'postgres'), 'EMAIL');
    assert.equal(spellAs('email', 'Emial', 'postgres'), 'email');
    assert.equal(spellAs('email', '"Emial"', 'postgres'), '"email"', 'the user quoted');
    assert.equal(spellAs('Name', 'nmae', 'postgres'), '"Name"', 'mixed case needs quotes in PostgreSQL');
    assert.equal(spellAs('order', 'ordr', 'postgres'), '"order"', 'a reserved word needs quotes');
    assert.equal(spellAs('EMAIL', 'emial', 'snowflake'), 'email');
    assert.equal(spellAs('EMAIL', 'EMIAL', 'snowflake'), 'EMAIL');
    assert.equal(spellAs('email', 'emial', 'snowflake'), '"email"', 'a lower-case Snowflake name needs quotes');
    assert.equal(spellAs('ORDER', 'ordr', 'snowflake'), '"ORDER"');
    assert.equal(spellAs('a"b', 'ab', 'postgres'), '"a""b"');
  });

  const text = 'SELECT u.emial\nFROM users u\n';
  const fix = { start: text.indexOf('emial'), end: text.indexOf('emial') + 5, text: 'email' };

  /** The diagnostic as the server published it for `doc`, and a code action request that hands it back. */
  function request(doc: TextDocument, only?: string[]): CodeActionParams {
    const data = nameFixData(doc, doc.getText(), fix);
    const diagnostic: Diagnostic = { range: { start: { line: 0, character: 7 }, end: { line: 0, character: 14 } }, message: 'Table "users" (u) has no column "emial".', source: 'retl', data };
    return { textDocument: { uri: doc.uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], ...(only ? { only } : {}) } };
  }

  it('replaces the misspelt part of the name, as an edit of the version it was made for', () => {
    const doc = TextDocument.create('file:///m.sql', 'sql', 3, text);
    const [action, ...more] = quickFixes(doc, request(doc), true);
    assert.equal(more.length, 0);
    assert.equal(action!.title, 'Change "emial" to "email"');
    assert.equal(action!.kind, 'quickfix');
    assert.equal(action!.isPreferred, true);
    assert.deepEqual(action!.edit, {
      documentChanges: [{ textDocument: { uri: 'file:///m.sql', version: 3 }, edits: [{ range: { start: { line: 0, character: 9 }, end: { line: 0, character: 14 } }, newText: 'email' }] }],
    });
    const plain = quickFixes(doc, request(doc), false)[0]!;
    assert.deepEqual(plain.edit, { changes: { 'file:///m.sql': [{ range: { start: { line: 0, character: 9 }, end: { line: 0, character: 14 } }, newText: 'email' }] } });
  });

  it('offers nothing once the name is gone, for requests that want other kinds, or for data it did not make', () => {
    const doc = TextDocument.create('file:///m.sql', 'sql', 1, text);
    const params = request(doc);
    const edited = TextDocument.update(doc, [{ text: 'SELECT u.email\nFROM users u\n' }], 2);
    assert.deepEqual(quickFixes(edited, params, true), []);
    assert.equal(quickFixes(doc, request(doc, ['quickfix']), true).length, 1);
    assert.deepEqual(quickFixes(doc, request(doc, ['source.organizeImports']), true), []);
    const forged = { ...params, context: { diagnostics: params.context.diagnostics.map((d) => ({ ...d, data: { kind: 'retl.nameFix', newText: 'x' } })) } };
    assert.deepEqual(quickFixes(doc, forged, true), []);
    const otherSource = { ...params, context: { diagnostics: params.context.diagnostics.map((d) => ({ ...d, source: 'sqlfluff' })) } };
    assert.deepEqual(quickFixes(doc, otherSource, true), []);
    assert.deepEqual(quickFixes(undefined, params, true), [], 'a document the server does not have open');
  });
});
