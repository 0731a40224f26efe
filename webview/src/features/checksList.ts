// The credentials checks, live while they run: a spinner on the running one, then passed or failed with
// its time, message, warning and the SQL that fixes it (with a copy button).
import type { CheckResult } from '../../../protocol/src/verify';
import { button, el } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

const STATUS_MARK: Record<CheckResult['status'], string> = { pending: '○', running: '◌', passed: '✓', failed: '✗', skipped: '–' };

function checksListFeature(): Feature {
  let ui: Ui;
  let list: HTMLOListElement;
  const changed = sliceMemo();
  return {
    mount(root, u) {
      ui = u;
      list = el('ol', { id: 'checks', class: 'checks', 'aria-live': 'polite' });
      root.append(list);
    },
    render(s: PanelState) {
      if (!changed([s.checks])) return;
      list.replaceChildren(...(s.checks ?? []).map(item));
    },
  };

  function item(c: CheckResult): HTMLElement {
    const li = el('li', { class: `check ${c.status}`, 'data-check': c.id });
    li.append(
      c.status === 'running' ? document.createElement('vscode-progress-ring') : el('span', { class: 'mark', 'aria-hidden': 'true' }, STATUS_MARK[c.status]),
      el('span', { class: 'title' }, c.title),
      el('span', { class: 'status-text' }, c.status === 'passed' || c.status === 'failed' ? `${c.status} · ${c.ms ?? 0} ms` : c.status),
    );
    if (c.message && c.status !== 'pending') li.append(el('div', { class: 'message' }, c.message));
    if (c.warning) li.append(el('div', { class: 'message warning', role: 'alert' }, `⚠ ${c.warning}`));
    if (c.remediation) {
      const fix = c.remediation;
      li.append(el('pre', { class: 'remediation' }, fix), button('Copy SQL', () => ui.post({ type: 'copy', what: 'fix SQL', text: fix }), { secondary: true, id: `copy-fix-${c.id}` }));
    }
    return li;
  }
}

export const checksList = checksListFeature();
