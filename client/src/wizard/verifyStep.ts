// The wizard step that runs the three credential checks live. It does not let the wizard go on while a
// check fails; it offers the SQL that fixes the failure, a new try, and Back to edit the credentials.
import * as vscode from 'vscode';
import type { Credentials } from '../../../protocol/src/config';
import { pendingChecks, type CheckResult, type CheckStatus } from '../../../protocol/src/verify';
import type { EngineClient } from '../engineClient';
import type { Step } from './multiStepInput';

type Action = 'continue' | 'retry' | 'copy' | 'none';
interface VerifyItem extends vscode.QuickPickItem {
  action: Action;
}

const ICONS: Record<CheckStatus, string> = {
  pending: '$(circle-large-outline)',
  running: '$(loading~spin)',
  passed: '$(pass-filled)',
  failed: '$(error)',
  skipped: '$(circle-slash)',
};

function checkItem(c: CheckResult): VerifyItem {
  return {
    label: `${ICONS[c.status]} ${c.title}`,
    description: c.status === 'passed' || c.status === 'failed' ? `${c.status}${c.ms !== undefined ? ` · ${c.ms} ms` : ''}` : c.status,
    ...(c.message || c.warning ? { detail: [c.message, c.warning && `⚠ ${c.warning}`].filter(Boolean).join(' ') } : {}),
    action: 'none',
  };
}

/**
 * `target()` names the credentials: an id from retl.yaml, or an id with credentials not saved yet.
 * `next` follows once all three checks pass.
 */
export function verifyStep(title: string, engine: EngineClient, target: () => Promise<{ id: string; unsaved?: Credentials }>, next: Step): Step {
  const step: Step = async (input) => {
    const { id, unsaved } = await target();
    let remediation: string | undefined;
    const chosen = await input.live<VerifyItem>({ title, placeholder: `Verifying credentials "${id}"…` }, (qp, token) => {
      const render = (checks: CheckResult[], extra: VerifyItem[] = []) => {
        qp.items = [...checks.map(checkItem), ...extra];
      };
      qp.busy = true;
      render(pendingChecks());
      const sub = engine.onVerifyProgress((p) => {
        if (p.credentialsId === id && !token.isCancellationRequested) render(p.checks);
      });
      engine.verify(id, token, unsaved).then(
        (result) => {
          sub.dispose();
          if (token.isCancellationRequested) return;
          qp.busy = false;
          const failed = result.checks.find((c) => c.status === 'failed');
          const warned = result.checks.find((c) => c.warning);
          remediation = (failed ?? warned)?.remediation;
          if (result.ok) {
            qp.placeholder = warned ? 'All three checks passed, with a warning: this role can act outside read-only (see below)' : 'All three checks passed: press Enter to go on';
            render(result.checks, [
              { label: '$(arrow-right) Continue', action: 'continue', alwaysShow: true },
              ...(warned && remediation ? [{ label: '$(copy) Copy the SQL that removes these rights', detail: remediation.replace(/\n/g, '  '), action: 'copy' as const, alwaysShow: true }] : []),
            ]);
            qp.activeItems = qp.items.filter((i) => i.action === 'continue');
          } else {
            qp.placeholder = `${failed?.title ?? 'A check'} failed: fix it, then verify again (or go back to edit the credentials)`;
            render(result.checks, [
              ...(remediation ? [{ label: '$(copy) Copy the SQL that fixes this', detail: remediation.replace(/\n/g, '  '), action: 'copy' as const, alwaysShow: true }] : []),
              { label: '$(refresh) Verify again', action: 'retry', alwaysShow: true },
            ]);
            qp.activeItems = qp.items.filter((i) => i.action === (remediation ? 'copy' : 'retry'));
          }
        },
        (err: unknown) => {
          sub.dispose();
          if (token.isCancellationRequested) return;
          qp.busy = false;
          qp.placeholder = `Verification could not run: ${(err as Error).message}`;
          render(pendingChecks(), [{ label: '$(refresh) Verify again', action: 'retry', alwaysShow: true }]);
        },
      );
    });
    switch (chosen.action) {
      case 'continue':
        return next;
      case 'copy':
        if (remediation) {
          await vscode.env.clipboard.writeText(remediation);
          void vscode.window.showInformationMessage('The fix SQL is on the clipboard: run it as an administrator, then choose "Verify again".');
        }
        return step;
      default:
        return step;
    }
  };
  return step;
}
