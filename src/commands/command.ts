import * as vscode from 'vscode';
import { InvalidInputError, isCancellation, userMessage, type ErrorFollowUp } from '../core/errors';
import { redact } from '../core/redact';
import type { Logger } from '../logger';

export type CommandHandler = (...args: unknown[]) => unknown;
export type CommandLogger = Pick<Logger, 'error' | 'debug' | 'show'>;

/** A command is called by a script when its first argument is a plain argument object. */
export function isScripted(args: unknown[]): boolean {
  const first = args[0];
  return typeof first === 'object' && first !== null && Object.getPrototypeOf(first) === Object.prototype;
}

function followUpOf(err: unknown): ErrorFollowUp | undefined {
  const followUp = typeof err === 'object' && err !== null ? (err as { followUp?: ErrorFollowUp }).followUp : undefined;
  return followUp && typeof followUp.title === 'string' && typeof followUp.command === 'string' ? followUp : undefined;
}

/**
 * Whether a script may go on with deleting `name`. Any extension can call a command, and it would
 * act through this extension's sign-in: so a scripted deletion names the resource twice
 * (`confirm` equal to its name), or the user confirms it in a modal dialog.
 * A wrong `confirm` is refused before anything is touched.
 */
export async function confirmScriptedDeletion(arg: unknown, name: string, what: string, detail: string): Promise<boolean> {
  const { confirm } = arg as { confirm?: unknown };
  if (confirm === undefined) {
    const choice = await vscode.window.showWarningMessage(
      `An extension or script asks to delete ${what}. Delete it?`,
      { modal: true, detail: `${detail} To delete without this question, the caller passes "confirm": "${name}".` },
      'Delete',
    );
    return choice === 'Delete';
  }
  if (confirm !== name) {
    throw new InvalidInputError(
      `Not deleted: "confirm" must repeat the name ${name} exactly (it was ${JSON.stringify(confirm)}).`,
      `Pass "confirm": "${name}" to delete ${what}.`,
    );
  }
  return true;
}

/**
 * The one error path every command goes through: cancellation is silent, the full error goes to
 * the log, the user sees one short message with a way to the log. Scripted calls (with an
 * argument object) also get the error back, so `executeCommand` rejects. Everything shown, logged
 * or handed back has passed through `redact` (userMessage and the Logger redact; the message of
 * an error handed back is redacted here).
 */
export function registerCommand(id: string, handler: CommandHandler, logger: CommandLogger): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      if (isCancellation(err)) {
        logger.debug(`${id} cancelled`);
        if (isScripted(args)) throw err;
        return undefined;
      }
      logger.error(id, err);
      const message = userMessage(err);
      const followUp = followUpOf(err);
      void vscode.window.showErrorMessage(message, ...(followUp ? [followUp.title] : []), 'Show Log').then((choice) => {
        if (choice === 'Show Log') logger.show();
        else if (followUp && choice === followUp.title) void vscode.commands.executeCommand(followUp.command, ...followUp.args);
      });
      if (isScripted(args)) throw redactError(err);
      return undefined;
    }
  });
}

/** The error with secrets hidden in its message and stack, for a script that gets it back. */
function redactError(err: unknown): unknown {
  if (err instanceof Error) {
    try {
      err.message = redact(err.message);
      if (err.stack) err.stack = redact(err.stack);
    } catch {
      // A read-only message (a DOMException): it came from the platform, not from a secret.
    }
  }
  return err;
}

/** Runs `task` under a cancellable notification; Cancel aborts the signal it gets. */
export function withCancellableProgress<T>(
  title: string,
  task: (signal: AbortSignal, report: (message: string) => void) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return task(controller.signal, (message) => progress.report({ message }));
    }),
  );
}
