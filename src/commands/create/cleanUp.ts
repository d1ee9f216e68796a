// What happens after a cancel while Azure creates: the waiting stops, Azure goes on, and the user
// is told what is being created (it costs money) and offered to delete it. Both create commands use it.
import * as vscode from 'vscode';
import { userMessage } from '../../core/errors';
import { withCancellableProgress } from '../command';

/**
 * Cancel stops the waiting, not Azure: says what goes on being created (clusters cost money while
 * they exist) and offers to delete it. `remove` returns what it could not delete, with why.
 */
export async function offerToDeleteStarted(
  waitedFor: string,
  started: string[],
  changed: () => void,
  remove: (signal: AbortSignal, report: (message: string) => void) => Promise<{ what: string; error: unknown }[]>,
): Promise<void> {
  changed();
  if (started.length === 0) return;
  const list = started.join(', ');
  const choice = await vscode.window.showWarningMessage(
    `Stopped waiting for ${waitedFor}; Azure goes on with it. Created or being created: ${list}. Clusters cost money while they exist.`,
    'Delete What Was Started',
    'Keep',
  );
  if (choice !== 'Delete What Was Started') return;
  const notDeleted = await withCancellableProgress(`Deleting what was started for ${waitedFor}`, remove);
  changed();
  if (notDeleted.length === 0) {
    void vscode.window.showInformationMessage(`Deleted ${list}.`);
  } else {
    void vscode.window.showErrorMessage(
      `Not everything started for ${waitedFor} was deleted: ${notDeleted.map((n) => `${n.what} (${userMessage(n.error)})`).join('; ')}.`,
    );
  }
}
