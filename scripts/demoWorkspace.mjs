// The demo workspace's .vscode/settings.json: auto-save off, because code-server's web default saves after
// a second, and a typo saved that way could no longer be undone with Revert. Only a missing setting is
// added; whatever the user put there (comments included) stays as it is.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_SETTINGS = { 'files.autoSave': 'off' };

/** The settings text with each missing demo setting added, or undefined when nothing is missing. */
export function withDemoSettings(text) {
  if (text === undefined || text.trim() === '') return `${JSON.stringify(DEMO_SETTINGS, null, 2)}\n`;
  const code = stripComments(text);
  const missing = Object.entries(DEMO_SETTINGS).filter(([key]) => !code.includes(JSON.stringify(key)));
  if (missing.length === 0) return undefined;
  // settings.json is JSONC: the object's brace is the first `{` outside a comment.
  const open = code.indexOf('{');
  if (open < 0) throw new Error('.vscode/settings.json holds no JSON object: left as it is');
  const empty = /^\s*\}/.test(code.slice(open + 1));
  const lines = missing.map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n');
  return `${text.slice(0, open + 1)}\n${lines}${empty ? '\n' : ','}${text.slice(open + 1)}`;
}

/** Writes the demo settings into `workspace`; answers whether the file changed. */
export function ensureDemoSettings(workspace) {
  const file = join(workspace, '.vscode', 'settings.json');
  const next = withDemoSettings(existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  if (next === undefined) return false;
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(file, next);
  return true;
}

/** The text with comments blanked out (same length, so offsets stay), strings left alone. */
function stripComments(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else {
      out += c;
    }
  }
  return out;
}

function stringEnd(text, start) {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
