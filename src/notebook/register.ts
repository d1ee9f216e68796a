// The notebook kernel's place in activation: nothing but a watch for Jupyter notebooks. The
// kernels, their Livy sessions and the magics load from their own bundle (dist/chunks/notebook.js)
// when the first `.ipynb` opens: most windows never have one.
import * as vscode from 'vscode';
import type * as notebookChunk from '../chunks/notebook';
import { JUPYTER_NOTEBOOK, type NotebookKernelDeps } from './contract';

type NotebookKernels = InstanceType<typeof notebookChunk.NotebookKernels>;

export class NotebookKernelHost implements vscode.Disposable {
  private loading?: Promise<NotebookKernels>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deps: NotebookKernelDeps) {
    this.subscription = vscode.workspace.onDidOpenNotebookDocument((notebook) => {
      if (notebook.notebookType === JUPYTER_NOTEBOOK) void this.kernels().then((k) => k.opened(notebook));
    });
    if (vscode.workspace.notebookDocuments.some((n) => n.notebookType === JUPYTER_NOTEBOOK)) void this.kernels();
  }

  /** The kernels, loaded once; a failed load is logged and tried again on the next notebook. */
  kernels(): Promise<NotebookKernels> {
    if (!this.loading) {
      this.loading = import('../chunks/notebook').then((chunk: typeof notebookChunk) => new chunk.NotebookKernels(this.deps));
      this.loading.catch((err: unknown) => {
        this.deps.logger.error('Loading the notebook kernels', err);
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  dispose(): void {
    this.subscription.dispose();
    void this.loading?.then((k) => k.dispose()).catch(() => undefined);
  }
}
