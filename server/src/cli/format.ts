// How the CLI prints what the engine returns: tables of rows, models as JSON, saved changes.
import type { ModelSummary, WorkspaceState } from '../../../protocol/src/config';
import type { ChangeResult } from '../../../protocol/src/requests';
import type { Cell } from '../../../protocol/src/preview';
import { refusal } from '../errors';
import { EXIT, type Output } from './command';
import { CliFailure } from './failures';

export function cellText(c: Cell): string {
  if (c === null) return 'NULL';
  if (typeof c === 'object') return `${c.truncated}… (${c.size} chars)`;
  return String(c);
}

export function formatTable(header: string[], rows: string[][]): string {
  const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s).replace(/\s+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function publicModel(m: ModelSummary) {
  return {
    id: m.id,
    name: m.name,
    description: m.description ?? '',
    credentials: m.credentials,
    query: m.query,
    primaryKey: m.primaryKey ?? null,
    connections: m.connections,
  };
}

export type Shown = { json: unknown; text: string };

export function savedModel(state: WorkspaceState, id: string): Shown {
  const m = state.models.find((x) => x.id === id);
  if (!m) throw new Error(`model ${id} vanished after saving`);
  return { json: publicModel(m), text: `Model ${m.id} ("${m.name}", ${m.query}) saved.` };
}

/** Prints a saved change; a refused one is thrown as a failure (main prints it and picks the exit code). */
export function showChange(result: ChangeResult, io: Output, show: (state: WorkspaceState) => Shown): number {
  if (!result.ok) throw new CliFailure(refusal(result));
  const shown = show(result.state);
  io.out(io.json ? JSON.stringify(shown.json, null, 2) : shown.text);
  return EXIT.ok;
}
