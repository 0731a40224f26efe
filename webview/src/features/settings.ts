// The Settings tab: the model's credentials (switch, edit, verify) above the checks list, and deleting the
// model below it, disabled with the reason while a connection uses it.
import { button, el, setDisabled, setText, type Button } from '../dom';
import { describeCredentials } from '../../../protocol/src/config';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

function credentialsFeature(): Feature {
  let select: HTMLSelectElement;
  let verify: Button;
  const changed = sliceMemo();
  return {
    mount(root: HTMLElement, ui: Ui) {
      select = el('select', { id: 'credentials-select', 'aria-label': 'Credentials' });
      verify = button('Verify', () => ui.post({ type: 'verify' }), { id: 'verify' });
      root.append(
        el('h2', {}, 'Credentials'),
        el(
          'div',
          { class: 'actions' },
          select,
          button('Switch', () => ui.post({ type: 'switchCredentials', credentialsId: select.value }), { secondary: true, id: 'switch-credentials' }),
          button('Edit Credentials', () => ui.post({ type: 'editCredentials' }), { secondary: true, id: 'edit-credentials' }),
          verify,
        ),
      );
    },
    render(s: PanelState) {
      const data = s.data;
      if (!data || !changed([data.credentials, data.model.credentials, s.verifying])) return;
      setDisabled(verify, s.verifying);
      const options = data.credentials.map((c) => {
        const option = el('option', { value: c.id }, `${c.id} — ${describeCredentials(c)}`);
        if (c.id === data.model.credentials) option.setAttribute('selected', 'true');
        return option;
      });
      const same = select.options.length === options.length && options.every((o, i) => select.options[i]?.value === o.value && select.options[i]?.textContent === o.textContent);
      if (!same) select.replaceChildren(...options);
      if (!same || document.activeElement !== select) select.value = data.model.credentials;
    },
  };
}

function deletionFeature(): Feature {
  let reason: HTMLElement;
  let remove: Button;
  const changed = sliceMemo();
  return {
    mount(root: HTMLElement, ui: Ui) {
      reason = el('p', { id: 'delete-reason' });
      // Secondary and boxed apart: it must not read as the next step after Verify.
      remove = button('Delete Model…', () => ui.post({ type: 'delete' }), { id: 'delete', secondary: true });
      remove.classList.add('danger');
      root.append(el('div', { class: 'danger-zone' }, el('h2', {}, 'Permanently delete the model'), reason, remove));
    },
    render(s: PanelState) {
      const m = s.data?.model;
      if (!m || !changed([m])) return;
      const used = m.connections.length;
      const why =
        used > 0
          ? `It cannot be deleted while ${used === 1 ? 'a connection uses' : `${used} connections use`} it: ${m.connections.join(', ')}.`
          : 'No connection uses it. Deleting removes it from retl.yaml; you choose whether its query file goes too.';
      setText(reason, why);
      setDisabled(remove, used > 0);
      remove.title = used > 0 ? why : 'Delete this model';
    },
  };
}

export const credentials = credentialsFeature();
export const deletion = deletionFeature();
