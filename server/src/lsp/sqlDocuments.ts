// The language features for open SQL documents: diagnostics (debounced, stale runs dropped),
// completion and hover. Which dialect and catalog apply comes from the model that owns the file, or
// from the retl.defaultCredentials setting for other SQL files.
import { fileURLToPath } from 'node:url';
import {
  CompletionItemKind,
  DiagnosticSeverity,
  MarkupKind,
  TextDocuments,
  type CompletionItem,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Engine } from '../engine';
import { analyzeSql, type Severity } from '../sql/analyzeSql';
import { nameFixData } from './quickFixes';
import { completeSql, hoverSql, type CompletionKind } from '../sql/completion';
import { dialectOf, type Dialect } from '../sql/statementCheck';
import type { Catalog } from '../warehouse/warehouse';

/** While a user types, a document is checked once typing has paused this long. */
const DEBOUNCE_MS = 150;

interface DocContext {
  credentialsId: string;
  dialect: Dialect;
  primaryKey?: string;
  /** The file is a model's query (not a SQL file checked with retl.defaultCredentials). */
  isModel: boolean;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

const KIND: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  schema: CompletionItemKind.Module,
  table: CompletionItemKind.Class,
  column: CompletionItemKind.Field,
};

export class SqlDocuments {
  readonly documents = new TextDocuments(TextDocument);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each document's last check started. */
  private readonly lastRun = new Map<string, number>();
  private defaultCredentials: string | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly engine: () => Engine | undefined,
  ) {
    this.documents.onDidChangeContent((e) => this.schedule(e.document));
    this.documents.onDidClose((e) => {
      clearTimeout(this.timers.get(e.document.uri));
      this.timers.delete(e.document.uri);
      this.lastRun.delete(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    connection.onCompletion(async (p) => {
      const doc = this.documents.get(p.textDocument.uri);
      const ctx = doc && (await this.contextOf(doc.uri));
      if (!doc || !ctx) return [];
      const catalog = await this.engine()?.catalogFor(ctx.credentialsId);
      return safely('completion', () => completeSql(doc.getText(), doc.offsetAt(p.position), catalog), []).map(
        (c): CompletionItem => ({
          label: c.label,
          kind: KIND[c.kind],
          sortText: c.sortText,
          ...(c.detail ? { detail: c.detail } : {}),
          ...(c.documentation ? { documentation: c.documentation } : {}),
        }),
      );
    });
    connection.onHover(async (p) => {
      const doc = this.documents.get(p.textDocument.uri);
      const ctx = doc && (await this.contextOf(doc.uri));
      if (!doc || !ctx) return null;
      const catalog = this.engine()?.catalogs.get(ctx.credentialsId);
      const hover = safely('hover', () => hoverSql(doc.getText(), doc.offsetAt(p.position), catalog), undefined);
      if (!hover) return null;
      return { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: { start: doc.positionAt(hover.start), end: doc.positionAt(hover.end) } };
    });
    this.documents.listen(connection);
    const safely = <T>(what: string, fn: () => T, fallback: T): T => {
      try {
        return fn();
      } catch (err) {
        connection.console.error(`${what} failed: ${(err as Error).stack ?? err}`);
        return fallback;
      }
    };
  }

  setDefaultCredentials(id: string | undefined): void {
    this.defaultCredentials = id || undefined;
    this.revalidateAll();
  }

  /** After retl.yaml or a catalog changed. */
  revalidateAll(credentialsId?: string): void {
    for (const doc of this.documents.all()) {
      if (!credentialsId) this.schedule(doc);
      else void this.contextOf(doc.uri).then((ctx) => ctx?.credentialsId === credentialsId && this.schedule(doc));
    }
  }

  private async contextOf(uri: string): Promise<DocContext | undefined> {
    const engine = this.engine();
    if (!engine?.store.config) return undefined;
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    const model = engine.modelForFile(file);
    const credentialsId = model?.credentials ?? this.defaultCredentials;
    const creds = credentialsId ? engine.store.config.credentials.find((c) => c.id === credentialsId) : undefined;
    if (!creds) return undefined;
    return { credentialsId: creds.id, dialect: dialectOf(creds.type), isModel: model !== undefined, ...(model?.primaryKey ? { primaryKey: model.primaryKey } : {}) };
  }

  /**
   * Leading and trailing edge: a change after a quiet spell is checked at once (a single edit, a paste, a
   * file opened); within a burst of keystrokes the check waits until typing pauses for DEBOUNCE_MS.
   */
  private schedule(doc: TextDocument): void {
    const pending = this.timers.get(doc.uri);
    clearTimeout(pending);
    this.timers.delete(doc.uri);
    const run = () => {
      this.timers.delete(doc.uri);
      this.lastRun.set(doc.uri, Date.now());
      void this.validate(doc.uri, doc.version);
    };
    const quiet = pending === undefined && Date.now() - (this.lastRun.get(doc.uri) ?? -Infinity) >= DEBOUNCE_MS;
    if (quiet) run();
    else this.timers.set(doc.uri, setTimeout(run, DEBOUNCE_MS));
  }

  /** One file's failure is logged and shown on that file; the server goes on serving the others. */
  private async validate(uri: string, version: number): Promise<void> {
    try {
      await this.validateNow(uri, version);
    } catch (err) {
      this.connection.console.error(`Checking ${uri} failed: ${(err as Error).stack ?? err}`);
      const diagnostic: Diagnostic = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
        severity: SEVERITY.warning,
        source: 'retl',
        code: 'check-failed',
        message: `This file could not be checked: ${(err as Error).message}. The "Reverse ETL" output has the details.`,
      };
      await this.connection.sendDiagnostics({ uri, version, diagnostics: [diagnostic] }).catch(() => undefined);
    }
  }

  private async validateNow(uri: string, version: number): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc || doc.version !== version) return; // a newer change will run its own check
    const ctx = await this.contextOf(uri);
    const engine = this.engine();
    if (!ctx || !engine) {
      await this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    // The catalog arrives in the background; the check runs now without it and again when it is there.
    const catalog: Catalog | undefined = engine.catalogs.get(ctx.credentialsId);
    if (!catalog) void engine.catalogFor(ctx.credentialsId);
    const confirm = ctx.dialect === 'snowflake' ? engine.confirmer(ctx.credentialsId) : undefined;
    const text = doc.getText();
    const found = await analyzeSql(text, {
      dialect: ctx.dialect,
      isModel: ctx.isModel,
      ...(catalog ? { catalog } : {}),
      ...(ctx.primaryKey ? { primaryKey: ctx.primaryKey } : {}),
      ...(confirm ? { confirm } : {}),
    });
    if (this.documents.get(uri)?.version !== version) return;
    const diagnostics: Diagnostic[] = found.map((d) => ({
      range: { start: doc.positionAt(d.start), end: doc.positionAt(d.end) },
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'retl',
      message: d.message,
      ...(d.fix ? { data: nameFixData(doc, text, d.fix) } : {}),
    }));
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
  }
}
