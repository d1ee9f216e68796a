import * as vscode from 'vscode';
import type { ClusterLookup, ClusterTarget } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { CancelledError, HDInsightError, InvalidInputError } from '../core/errors';
import type { HDInsightCluster } from '../azure/model';
import { confirmScriptedDeletion, isScripted, withCancellableProgress } from './command';

export interface LifecycleDeps {
  lookup: ClusterLookup;
  /** Redraws the tree (the cluster's state changes while the operation runs). */
  changed: () => void;
}

/** Worker counts this extension will ask Azure for. */
export const MAX_WORKERS = 500;

function azureCluster(target: ClusterTarget, what: string): HDInsightCluster {
  if (target.kind !== 'azure') throw new InvalidInputError(`${target.cluster.name} is a linked cluster: ${what} it in Azure, not here.`);
  return target.cluster;
}

export function validateWorkerCount(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidInputError(`The worker count must be a whole number from 1 to ${MAX_WORKERS} (got ${JSON.stringify(value)}).`);
  }
  return n;
}

/** Runs a long operation with a notification; cancelling stops the waiting (Azure goes on). */
async function withOperationProgress<T>(
  scripted: boolean,
  title: string,
  task: (signal: AbortSignal | undefined, report: (message: string) => void) => Promise<T>,
): Promise<T> {
  if (scripted) return task(undefined, () => undefined);
  return withCancellableProgress(title, async (signal, report) => {
    try {
      return await task(signal, report);
    } catch (err) {
      if (signal.aborted) {
        void vscode.window.showInformationMessage(
          `${title}: stopped waiting. Azure carries on; the HDInsight view shows the cluster's state.`,
        );
        throw new CancelledError();
      }
      throw err;
    }
  });
}

/** `hdinsight.resizeCluster` `{ cluster, workerCount }` → `{ id, workerCount }` once Azure finished. */
export function resizeClusterCommand(deps: LifecycleDeps) {
  return async (arg?: unknown): Promise<{ id: string; workerCount: number }> => {
    const scripted = isScripted([arg]);
    let workerCount = scripted ? validateWorkerCount((arg as { workerCount?: unknown }).workerCount) : undefined;
    const cluster = azureCluster(await resolveCluster(arg, deps.lookup), 'resize');
    if (!/^running$/i.test(cluster.state)) {
      throw new InvalidInputError(
        `${cluster.name} is ${cluster.state}; only a running cluster can be resized.`,
        'Wait until it is Running.',
      );
    }
    const current = cluster.roles.find((r) => r.name.toLowerCase() === 'workernode')?.count;
    if (workerCount === undefined) {
      const answer = await vscode.window.showInputBox({
        title: `Resize ${cluster.name}`,
        prompt: `Worker nodes (now ${current ?? 'unknown'}; 1 to ${MAX_WORKERS})`,
        value: current !== undefined ? String(current) : '',
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            validateWorkerCount(v);
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      });
      if (answer === undefined) throw new CancelledError();
      workerCount = validateWorkerCount(answer);
    }
    if (workerCount === current) return { id: cluster.id, workerCount };
    const count = workerCount;
    const client = await deps.lookup.account.client();
    const resized = await withOperationProgress(scripted, `Resizing ${cluster.name} to ${count} workers`, (signal, report) =>
      client.resizeCluster(cluster.id, count, {
        signal,
        accepted: () => {
          report('Azure accepted the request; resizing…');
          deps.changed();
        },
      }),
    );
    deps.changed();
    const now = resized.roles.find((r) => r.name.toLowerCase() === 'workernode')?.count ?? count;
    if (!scripted) void vscode.window.showInformationMessage(`${cluster.name} now has ${now} worker nodes.`);
    return { id: cluster.id, workerCount: now };
  };
}

/**
 * `hdinsight.deleteCluster` `{ cluster, confirm }` → `{ id, deleted }`. From the palette or tree, only after the name
 * is typed; from a script, only with `confirm` equal to the cluster's name, or after the user confirms in a modal dialog.
 */
export function deleteClusterCommand(deps: LifecycleDeps) {
  return async (arg?: unknown): Promise<{ id: string; deleted: boolean }> => {
    const scripted = isScripted([arg]);
    const cluster = azureCluster(await resolveCluster(arg, deps.lookup), 'delete');
    if (/^deleting$/i.test(cluster.state)) throw new HDInsightError('InvalidInput', `${cluster.name} is already being deleted.`);
    const consequence = 'This deletes the cluster and everything on its nodes (its storage account stays).';
    if (scripted) {
      if (!(await confirmScriptedDeletion(arg, cluster.name, `cluster ${cluster.name}`, consequence)))
        return { id: cluster.id, deleted: false };
    } else {
      const typed = await vscode.window.showInputBox({
        title: `Delete ${cluster.name}`,
        prompt: `${consequence} Type ${cluster.name} to confirm.`,
        placeHolder: cluster.name,
        ignoreFocusOut: true,
        validateInput: (v) => (v === '' || v === cluster.name ? undefined : `Type ${cluster.name} exactly.`),
      });
      if (typed !== cluster.name) return { id: cluster.id, deleted: false };
    }
    const client = await deps.lookup.account.client();
    await withOperationProgress(scripted, `Deleting ${cluster.name}`, (signal, report) =>
      client.deleteCluster(cluster.id, {
        signal,
        accepted: () => {
          report('Azure accepted the request; deleting…');
          deps.changed();
        },
      }),
    );
    deps.changed();
    if (!scripted) void vscode.window.showInformationMessage(`${cluster.name} was deleted.`);
    return { id: cluster.id, deleted: true };
  };
}
