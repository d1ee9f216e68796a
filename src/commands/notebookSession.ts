// The notebook toolbar's commands: Restart the notebook's Livy session, stop the streaming queries
// it runs. They act on the kernels (src/notebook/), which load when the first notebook opens.
import * as vscode from 'vscode';
import { HDInsightError } from '../core/errors';
import type { NotebookKernels } from '../notebook/NotebookKernels';
import { withCancellableProgress } from './command';

/** The notebook a command is for: the toolbar's, `{ notebook: uri }` from a script, or the active one. */
function notebookOf(arg: unknown): vscode.NotebookDocument {
  const given = arg as { notebookEditor?: { notebookUri?: vscode.Uri }; notebook?: unknown } | undefined;
  const uri = given?.notebookEditor?.notebookUri ?? (typeof given?.notebook === 'string' ? vscode.Uri.parse(given.notebook) : undefined);
  const notebook = uri
    ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString())
    : vscode.window.activeNotebookEditor?.notebook;
  if (!notebook) throw new HDInsightError('NotFound', 'No open notebook to act on.', 'Open the notebook first.');
  return notebook;
}

/** `hdinsight.notebook.restartSession` `{ notebook? }` → `{ sessionId }`. */
export async function restartSessionCommand(kernels: NotebookKernels, arg?: unknown): Promise<{ sessionId?: number }> {
  const notebook = notebookOf(arg);
  const run = kernels.sessionOfNotebook(notebook);
  if (run?.sessionId === undefined) {
    void vscode.window.showInformationMessage('This notebook has no Livy session yet: the first cell it runs starts one.');
    return {};
  }
  const sessionId = await withCancellableProgress(`Restarting Livy session ${run.sessionId} on ${run.cluster}`, (signal) =>
    kernels.restart(notebook, signal),
  );
  return { sessionId };
}

/** `hdinsight.notebook.stopStreamingQueries` `{ notebook? }` → `{ stopped }`. */
export async function stopStreamingQueriesCommand(kernels: NotebookKernels, arg?: unknown): Promise<{ stopped: boolean }> {
  const notebook = notebookOf(arg);
  const stopped = await withCancellableProgress('Stopping the streaming queries of the notebook’s session', (signal) =>
    kernels.stopStreamingQueries(notebook, signal),
  );
  if (!stopped) void vscode.window.showInformationMessage('This notebook has no Livy session running.');
  return { stopped };
}
