// The "did you mean" quick fix. A diagnostic with a suggestion carries its edit in `data`, which the
// client hands back with the code action request: no second analysis, no per-document state to keep in
// step. The fix is offered only while the text at its range is still the misspelt name, and is sent as an
// edit of the document version it was made for, which the client refuses to apply to any other.
import {
  CodeActionKind,
  OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit,
  TextEdit,
  type CodeAction,
  type CodeActionParams,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { NameFix } from '../sql/analyzeSql';

export interface NameFixData {
  kind: 'retl.nameFix';
  /** Where the misspelt name is: it may be part of the diagnostic's range (`emial` in `u.emial`). */
  range: Range;
  oldText: string;
  newText: string;
}

/** What goes into the diagnostic's `data`, from the text that was checked. */
export function nameFixData(doc: TextDocument, text: string, fix: NameFix): NameFixData {
  return { kind: 'retl.nameFix', range: { start: doc.positionAt(fix.start), end: doc.positionAt(fix.end) }, oldText: text.slice(fix.start, fix.end), newText: fix.text };
}

/** The data comes back from the client: checked, not trusted. */
function isNameFixData(v: unknown): v is NameFixData {
  const d = v as Partial<NameFixData> | null;
  const pos = (p: unknown) => !!p && typeof (p as { line?: unknown }).line === 'number' && typeof (p as { character?: unknown }).character === 'number';
  return !!d && d.kind === 'retl.nameFix' && typeof d.oldText === 'string' && typeof d.newText === 'string' && !!d.range && pos(d.range.start) && pos(d.range.end);
}

/** Whether a request limited to `only` kinds wants quick fixes (a kind asks for itself and its sub-kinds). */
function wantsQuickFix(only: string[] | undefined): boolean {
  return !only || only.some((k) => k === CodeActionKind.QuickFix || k === CodeActionKind.Empty);
}

/** A name in a title, in quotes once: a quoted name brings its own. */
const shown = (name: string) => (name.startsWith('"') ? name : `"${name}"`);

/**
 * The quick fixes for the diagnostics of a code action request. `versioned`: the client takes
 * `documentChanges`, so each edit names the version it was made for.
 */
export function quickFixes(doc: TextDocument | undefined, params: CodeActionParams, versioned: boolean): CodeAction[] {
  if (!doc || !wantsQuickFix(params.context.only)) return [];
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    const fix: unknown = diagnostic.data;
    if (diagnostic.source !== 'retl' || !isNameFixData(fix)) continue;
    // Typed over since the check: the name is not there any more, and neither is the fix.
    if (doc.getText(fix.range) !== fix.oldText) continue;
    const edit = TextEdit.replace(fix.range, fix.newText);
    const workspaceEdit: WorkspaceEdit = versioned
      ? { documentChanges: [TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(doc.uri, doc.version), [edit])] }
      : { changes: { [doc.uri]: [edit] } };
    actions.push({ title: `Change ${shown(fix.oldText)} to ${shown(fix.newText)}`, kind: CodeActionKind.QuickFix, isPreferred: true, diagnostics: [diagnostic], edit: workspaceEdit });
  }
  return actions;
}
