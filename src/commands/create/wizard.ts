// The multi-step input both create wizards ask with: a quick pick or an input box per step, showing
// "step N of M", with a Back button that keeps the answers, and Escape cancelling the whole wizard.
import * as vscode from 'vscode';
import { CancelledError, userMessage } from '../../core/errors';

/** Steps of a multi-step input: each may go back, and answers stay when the user does. */
export const BACK = Symbol('back');
export type StepResult = typeof BACK | undefined;
export type Step<S> = (state: S, position: { step: number; total: number }) => Promise<StepResult>;

/** Runs the steps in order; Back returns to the previous one with its answer kept; Escape cancels. */
export async function runSteps<S>(steps: Step<S>[], state: S): Promise<S> {
  for (let i = 0; i < steps.length;) {
    const result = await steps[i](state, { step: i + 1, total: steps.length });
    i = result === BACK ? Math.max(0, i - 1) : i + 1;
  }
  return state;
}

interface Common {
  title: string;
  step: number;
  total: number;
}

/** One choice; resolves to the chosen value or BACK. */
export function pickStep<T>(
  options: Common & { placeholder: string; items: (vscode.QuickPickItem & { value: T })[]; active?: T },
): Promise<T | typeof BACK> {
  return new Promise((resolve, reject) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    Object.assign(pick, {
      title: options.title,
      step: options.step,
      totalSteps: options.total,
      placeholder: options.placeholder,
      ignoreFocusOut: true,
    });
    pick.items = options.items;
    const active = options.items.find((i) => i.value === options.active);
    if (active) pick.activeItems = [active];
    pick.buttons = options.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    pick.onDidTriggerButton(() => {
      done = true;
      pick.hide();
      resolve(BACK);
    });
    pick.onDidAccept(() => {
      const [chosen] = pick.selectedItems;
      if (!chosen) return;
      done = true;
      pick.hide();
      resolve(chosen.value);
    });
    pick.onDidHide(() => {
      pick.dispose();
      if (!done) reject(new CancelledError());
    });
    pick.show();
  });
}

/** One text answer, checked as it is typed (and once more, asynchronously, on Enter). */
export function inputStep(
  options: Common & {
    prompt: string;
    value?: string;
    placeholder?: string;
    password?: boolean;
    validate: (value: string) => string | undefined;
    confirm?: (value: string) => Promise<string | undefined>;
  },
): Promise<string | typeof BACK> {
  return new Promise((resolve, reject) => {
    const input = vscode.window.createInputBox();
    Object.assign(input, {
      title: options.title,
      step: options.step,
      totalSteps: options.total,
      prompt: options.prompt,
      value: options.value ?? '',
      placeholder: options.placeholder,
      password: options.password ?? false,
      ignoreFocusOut: true,
    });
    input.buttons = options.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    input.onDidChangeValue((v) => (input.validationMessage = v ? options.validate(v) : undefined));
    input.onDidTriggerButton(() => {
      done = true;
      input.hide();
      resolve(BACK);
    });
    input.onDidAccept(async () => {
      const value = input.value;
      const problem = options.validate(value);
      if (problem) {
        input.validationMessage = problem;
        return;
      }
      if (options.confirm) {
        input.busy = true;
        input.enabled = false;
        const remote = await options.confirm(value).catch((err: unknown) => userMessage(err));
        input.busy = false;
        input.enabled = true;
        if (remote) {
          input.validationMessage = remote;
          return;
        }
      }
      done = true;
      input.hide();
      resolve(value);
    });
    input.onDidHide(() => {
      input.dispose();
      if (!done) reject(new CancelledError());
    });
    input.show();
  });
}
