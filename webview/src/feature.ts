// What a section of the panel is: it builds its DOM once (mount) and then updates only its own root when
// its slice of state changed (render). It never assigns to state: it posts to the host or dispatches a
// UiEvent, which main.ts runs through reduce.
import type { FromWebview } from '../../protocol/src/webviewMessages';
import type { PanelState, UiEvent } from './state';

export interface Ui {
  post(m: FromWebview): void;
  dispatch(e: UiEvent): void;
}

export interface Feature {
  mount(root: HTMLElement, ui: Ui): void;
  render(s: PanelState): void;
}

/**
 * Remembers the last slice a feature rendered; `changed(next)` is true when any part of it is a different
 * object (or value) than last time. Slices are compared by reference: reduce replaces what it changes.
 */
export function sliceMemo(): (next: readonly unknown[]) => boolean {
  let last: readonly unknown[] | undefined;
  return (next) => {
    const changed = !last || last.length !== next.length || next.some((v, i) => v !== last![i]);
    last = next;
    return changed;
  };
}
