import * as vscode from 'vscode';
import { isCancellation, userMessage } from '../core/errors';
import type { Logger } from '../logger';

export type CommandHandler = (...args: unknown[]) => unknown;
export type CommandLogger = Pick<Logger, 'error' | 'debug' | 'show'>;

/** A command is called by a script when its first argument is a plain argument object. */
export function isScripted(args: unknown[]): boolean {
  const first = args[0];
  return typeof first === 'object' && first !== null && Object.getPrototypeOf(first) === Object.prototype;
}

/** A command an error message offers as a button besides "Show Log", e.g. "Forget SSH Host Key". */
export interface ErrorFollowUp {
  title: string;
  command: string;
  args: unknown[];
}

/** Marks an error with the follow-up its message offers (a property: errors cross bundles). */
export function withFollowUp<E extends Error>(err: E, followUp: ErrorFollowUp): E {
  return Object.assign(err, { followUp });
}

function followUpOf(err: unknown): ErrorFollowUp | undefined {
  const followUp = typeof err === 'object' && err !== null ? (err as { followUp?: ErrorFollowUp }).followUp : undefined;
  return followUp && typeof followUp.title === 'string' && typeof followUp.command === 'string' ? followUp : undefined;
}

/**
 * The one error path every command goes through: cancellation is silent, the full error goes to
 * the log, the user sees one short message with a way to the log. Scripted calls (with an
 * argument object) also get the error back, so `executeCommand` rejects.
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
      if (isScripted(args)) throw err;
      return undefined;
    }
  });
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
