// "Create Spark + Kafka Pair": a script's arguments checked, or the answers of pairSteps.ts, then
// the network, the storage and both clusters created and what to do when a part fails or is cancelled.
import * as vscode from 'vscode';
import type { AzureClient } from '../../azure/client';
import { PAIR_NETWORK } from '../../azure/createRequest';
import {
  checkPair,
  checkPairInput,
  createPair,
  deletePairResources,
  PAIR_LABELS,
  PairCancelledError,
  pairNames,
  pairResourceList,
  type PairCheck,
  type PairInput,
  type PairOutcome,
  type PairPart,
} from '../../azure/pair';
import { CancelledError, HDInsightError, InvalidInputError, sentence, userMessage } from '../../core/errors';
import { isScripted, withCancellableProgress } from '../command';
import { offerToDeleteStarted } from './cleanUp';
import { askForPair } from './pairSteps';
import { RESOURCE_GROUP } from './sharedSteps';
import type { CreateDeps } from './types';

export interface CreatePairArgs extends PairInput {
  /** Create the resource group first (in `location`). */
  createResourceGroup?: boolean;
  /** When a part fails: keep what was created (default), or delete it again. */
  onFailure?: 'keep' | 'delete';
}

export interface CreatePairResult {
  sparkClusterId: string;
  kafkaClusterId: string;
  virtualNetworkId: string;
  subnetId: string;
  storageAccountId: string;
}

/**
 * `hdinsight.createSparkKafkaPair` `{ subscriptionId, resourceGroup, location, baseName, clusterLogin,
 * ssh, storageAccount?, virtualNetwork?, createResourceGroup?, onFailure? }` → the ids of what it
 * made. The tutorial's template as one command: a virtual network 10.0.0.0/16 with subnet
 * 10.0.0.0/24 and a storage account, then spark-BASE and kafka-BASE with every role in that subnet,
 * created in parallel under one progress notification. When a part fails the user sees which and
 * is offered to delete what was created.
 */
export function createPairCommand(deps: CreateDeps) {
  return async (arg?: unknown): Promise<CreatePairResult> => {
    if (!isScripted([arg])) {
      const client = await deps.lookup.account.client();
      const chosen = await askForPair(client);
      return create(deps, client, chosen.input, chosen.newGroup, {
        interactive: true,
        checked: chosen.checked,
        regionLabel: chosen.regionLabel,
      });
    }
    const args = arg as CreatePairArgs;
    checkPairInput(args);
    if (args.onFailure !== undefined && args.onFailure !== 'keep' && args.onFailure !== 'delete') {
      throw new InvalidInputError('"onFailure" must be "keep" or "delete".');
    }
    if (args.createResourceGroup && !RESOURCE_GROUP.test(args.resourceGroup)) {
      throw new InvalidInputError('"resourceGroup" must be 1 to 90 letters, digits, ".", "_", "-" or parentheses.');
    }
    const client = await deps.lookup.account.client();
    const checked = await checkPair(client, args);
    return create(deps, client, args, args.createResourceGroup ?? false, {
      interactive: false,
      onFailure: args.onFailure ?? 'keep',
      checked,
    });
  };
}

async function create(
  deps: CreateDeps,
  client: AzureClient,
  input: PairInput,
  newGroup: boolean,
  how: { interactive: boolean; onFailure?: 'keep' | 'delete'; checked: PairCheck; regionLabel?: string },
): Promise<CreatePairResult> {
  const names = pairNames(input);
  const run = async (signal?: AbortSignal, report?: (message: string) => void): Promise<PairOutcome> => {
    if (newGroup) await client.createResourceGroup(input.subscriptionId, input.resourceGroup, input.location, signal);
    const states: Record<PairPart, string> = { network: 'waiting', storage: 'waiting', spark: 'waiting', kafka: 'waiting' };
    const shown: Record<PairPart, string> = {
      network: names.network,
      storage: names.storage,
      spark: names.spark,
      kafka: names.kafka,
    };
    return createPair(client, input, {
      signal,
      capabilities: how.checked.capabilities,
      regionLabel: how.regionLabel,
      accepted: () => deps.changed(), // the tree shows each cluster in its creating state
      progress: (part, state) => {
        states[part] = state;
        report?.((Object.keys(states) as PairPart[]).map((p) => `${shown[p]}: ${states[p]}`).join(' · '));
      },
    });
  };
  let outcome: PairOutcome;
  try {
    outcome = how.interactive
      ? await withCancellableProgress(`Creating the Spark + Kafka pair (HDInsight takes about 20 minutes)`, run)
      : await run();
  } catch (err) {
    if (how.interactive && err instanceof PairCancelledError) {
      await offerToDeleteStarted('the Spark + Kafka pair', err.startedList, deps.changed, (signal, report) =>
        deletePairResources(client, err.started, { signal, progress: report }),
      );
    }
    throw err;
  }
  // The login is known: keep it in secret storage for each cluster that exists.
  for (const cluster of Object.values(outcome.clusters)) await deps.logins.store({ kind: 'azure', cluster }, input.clusterLogin);
  deps.changed();

  if (outcome.failures.length === 0) {
    if (how.interactive) {
      void vscode.window.showInformationMessage(
        `${names.spark} and ${names.kafka} are running, with every node in subnet ${PAIR_NETWORK.subnetName} of ${names.network}: Spark reaches the Kafka brokers there.`,
      );
    }
    return {
      sparkClusterId: outcome.clusters.spark!.id,
      kafkaClusterId: outcome.clusters.kafka!.id,
      virtualNetworkId: outcome.network!.id,
      subnetId: outcome.network!.subnetId,
      storageAccountId: outcome.storage!.id,
    };
  }

  // One sentence (or more) per failed part, each finished before the next begins.
  const failed = outcome.failures
    .map((f) =>
      sentence(
        `${capitalised(failedName(outcome, f.part))} failed: ${userMessage(f.error).replace(/^\w+ (cluster|virtual network|storage account) \S+ failed: /, '')}`,
      ),
    )
    .join(' ');
  const left = createdList(outcome);
  const summary = `The Spark + Kafka pair is incomplete. ${failed}${left ? ` Created and still there: ${left}.` : ''}`;
  if (!left) throw new HDInsightError('Remote', summary);
  const remove = how.interactive
    ? (await vscode.window.showErrorMessage(summary, 'Delete What Was Created', 'Keep')) === 'Delete What Was Created'
    : how.onFailure === 'delete';
  if (!remove) {
    if (how.interactive) throw new CancelledError(); // the user saw the message and chose to keep it
    throw new HDInsightError('Remote', summary, 'Delete what was created from the HDInsight view, or call again with onFailure "delete".');
  }
  const removeAll = (signal?: AbortSignal, report?: (message: string) => void) =>
    deletePairResources(client, outcome, { signal, progress: report });
  const notDeleted = how.interactive ? await withCancellableProgress('Deleting what the pair created', removeAll) : await removeAll();
  deps.changed();
  const kept = notDeleted.map((n) => `${n.what} (${userMessage(n.error).replace(/\.$/, '')})`).join('; ');
  const deleted = `${failed} What was created is deleted again${kept ? `, except ${kept}` : ''}.`;
  if (how.interactive && !kept) {
    void vscode.window.showInformationMessage(`Deleted ${createdList(outcome, false)}.`);
    throw new CancelledError();
  }
  throw new HDInsightError('Remote', `The Spark + Kafka pair failed. ${deleted}`);
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function failedName(outcome: PairOutcome, part: PairPart): string {
  return `${PAIR_LABELS[part]} ${outcome.names[part]}`;
}

/** What exists after a creation, in words (with the clusters' states, or without). */
function createdList(outcome: PairOutcome, states = true): string {
  return pairResourceList(outcome, states ? (part) => outcome.clusters[part]?.state ?? 'Error' : undefined).join(', ');
}
