// A small driver for multi-step QuickPick / InputBox flows with a Back button, Escape to cancel,
// and validation as the user types. Each step returns the next step, or undefined when done.
import * as vscode from 'vscode';

export type Step = (input: MultiStepInput) => Promise<Step | undefined>;

class BackSignal extends Error {}
class CancelSignal extends Error {}

export interface PickOptions<T extends vscode.QuickPickItem> {
  title: string;
  placeholder: string;
  items: readonly T[];
  active?: T;
}

export interface InputOptions {
  title: string;
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Returns the message to show, or undefined when the value is acceptable. */
  validate?: (value: string) => string | undefined;
  /** The prompt for what is typed so far (e.g. the id a name gives), in place of `prompt`. */
  describe?: (value: string) => string;
}

export class MultiStepInput {
  private current?: vscode.QuickInput;
  /** True while show() replaces one widget by the next: that hide is ours, not the user's. */
  private swapping = false;
  /** The user closed a widget between two steps (while the next one was being prepared). */
  private abandoned = false;
  private stepNumber = 0;
  private totalSteps = 1;

  /** Runs the flow; resolves true when it finished, false when the user cancelled. */
  static async run(first: Step, totalSteps: number): Promise<boolean> {
    const input = new MultiStepInput();
    input.totalSteps = totalSteps;
    const history: Step[] = [];
    let step: Step | undefined = first;
    try {
      while (step) {
        input.stepNumber = history.length + 1;
        try {
          const next: Step | undefined = await step(input);
          // A step that repeats itself (verify again) is one place in the Back history, not many.
          if (next !== step) history.push(step);
          step = next;
        } catch (err) {
          if (err instanceof BackSignal) {
            step = history.pop() ?? first;
          } else if (err instanceof CancelSignal) {
            return false;
          } else {
            throw err;
          }
        }
      }
      return true;
    } finally {
      input.current?.dispose();
    }
  }

  /** Steps can grow (new credentials add several); the counter follows. */
  setTotalSteps(total: number): void {
    this.totalSteps = total;
  }

  pick<T extends vscode.QuickPickItem>(o: PickOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const qp = vscode.window.createQuickPick<T>();
      qp.title = o.title;
      qp.placeholder = o.placeholder;
      qp.step = this.stepNumber;
      qp.totalSteps = Math.max(this.totalSteps, this.stepNumber);
      qp.items = o.items;
      qp.ignoreFocusOut = true;
      if (o.active) qp.activeItems = [o.active];
      qp.buttons = this.stepNumber > 1 ? [vscode.QuickInputButtons.Back] : [];
      const subs: vscode.Disposable[] = [
        qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && reject(new BackSignal())),
        qp.onDidAccept(() => {
          const chosen = qp.selectedItems[0];
          if (!chosen) return;
          qp.busy = true; // the next step may wait on the engine
          qp.enabled = false;
          resolve(chosen);
        }),
        qp.onDidHide(() => reject(new CancelSignal())),
      ];
      this.show(qp, subs);
    });
  }

  /**
   * A QuickPick whose items `run` keeps changing while work goes on (e.g. live checks). `token` is
   * cancelled when the user goes back or closes the input, so that work can stop.
   */
  live<T extends vscode.QuickPickItem>(
    o: { title: string; placeholder: string },
    run: (qp: vscode.QuickPick<T>, token: vscode.CancellationToken) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const qp = vscode.window.createQuickPick<T>();
      const cts = new vscode.CancellationTokenSource();
      qp.title = o.title;
      qp.placeholder = o.placeholder;
      qp.step = this.stepNumber;
      qp.totalSteps = Math.max(this.totalSteps, this.stepNumber);
      qp.ignoreFocusOut = true;
      qp.matchOnDetail = false;
      qp.buttons = this.stepNumber > 1 ? [vscode.QuickInputButtons.Back] : [];
      const subs: vscode.Disposable[] = [
        cts,
        qp.onDidTriggerButton((b) => {
          if (b !== vscode.QuickInputButtons.Back) return;
          cts.cancel();
          reject(new BackSignal());
        }),
        qp.onDidAccept(() => {
          const chosen = qp.selectedItems[0];
          if (chosen) resolve(chosen);
        }),
        qp.onDidHide(() => {
          cts.cancel();
          reject(new CancelSignal());
        }),
      ];
      this.show(qp, subs);
      run(qp, cts.token);
    });
  }

  input(o: InputOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const box = vscode.window.createInputBox();
      box.title = o.title;
      box.prompt = o.prompt;
      box.value = o.value ?? '';
      box.placeholder = o.placeholder;
      box.password = o.password ?? false;
      box.step = this.stepNumber;
      box.totalSteps = Math.max(this.totalSteps, this.stepNumber);
      box.ignoreFocusOut = true;
      box.buttons = this.stepNumber > 1 ? [vscode.QuickInputButtons.Back] : [];
      const check = (v: string) => {
        box.validationMessage = o.validate?.(v);
        if (o.describe) box.prompt = o.describe(v);
        return box.validationMessage === undefined;
      };
      if (box.value) check(box.value);
      const subs: vscode.Disposable[] = [
        box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && reject(new BackSignal())),
        box.onDidChangeValue((v) => check(v)),
        box.onDidAccept(() => {
          if (!check(box.value)) return;
          box.busy = true;
          box.enabled = false;
          resolve(box.value);
        }),
        box.onDidHide(() => reject(new CancelSignal())),
      ];
      this.show(box, subs);
    });
  }

  private show(input: vscode.QuickInput, subs: vscode.Disposable[]): void {
    if (this.abandoned) {
      subs.forEach((d) => d.dispose());
      input.dispose();
      throw new CancelSignal(); // rejects the step's promise: the flow ends as cancelled
    }
    // The previous step's widget goes first, so the new one takes the keyboard focus (Escape, typing).
    this.swapping = true;
    this.current?.dispose();
    this.swapping = false;
    this.current = input;
    subs.push(
      input.onDidHide(() => {
        // Closed by the user after its step had answered, while the next step was still being prepared.
        if (!this.swapping && this.current === input) this.abandoned = true;
        subs.forEach((d) => d.dispose());
      }),
    );
    input.show();
  }
}
