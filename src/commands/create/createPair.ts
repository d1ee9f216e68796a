import * as vscode from 'vscode';
import type { AzureClient } from '../../azure/client';
import { PAIR_NETWORK, validateStorageAccountName } from '../../azure/createRequest';
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
import { CancelledError, HDInsightError, InvalidInputError, isCancellation, sentence, userMessage } from '../../core/errors';
import { isScripted, withCancellableProgress } from '../command';
import { offerToDeleteStarted } from './cleanUp';
import { answer, check, loginSteps, placeSteps, RESOURCE_GROUP, sshOf, type LoginAnswers, type PlaceAnswers } from './sharedSteps';
import type { CreateDeps } from './types';
import { BACK, inputStep, pickStep, runSteps } from './wizard';

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
    if (!isScripted([arg])) return createInteractively(deps);
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

interface Answers extends PlaceAnswers, LoginAnswers {
  baseName?: string;
  storageAccount?: string;
  /** The summary's checks, for the creation to use what they read. */
  checked?: PairCheck;
}

async function createInteractively(deps: CreateDeps): Promise<CreatePairResult> {
  const client = await deps.lookup.account.client();
  const title = 'Create Spark + Kafka Pair';
  const inputOf = (a: Answers): PairInput => ({
    subscriptionId: a.subscriptionId!,
    resourceGroup: a.resourceGroup!,
    location: a.location!,
    baseName: a.baseName!,
    clusterLogin: { username: a.loginUser, password: a.loginPassword! },
    ssh: sshOf(a),
    storageAccount: a.storageAccount,
  });
  const answers = await runSteps<Answers>(
    [
      ...placeSteps<Answers>(client, title),
      async (a, at) =>
        answer(
          a,
          'baseName',
          await inputStep({
            title,
            ...at,
            prompt: 'Base name: the clusters become spark-NAME and kafka-NAME, the virtual network NAME-vnet',
            value: a.baseName,
            validate: check((v) => pairNames({ baseName: v })),
            confirm: async (v) => {
              const names = pairNames({ baseName: v });
              const results = await Promise.all(
                [names.spark, names.kafka].map((n) => client.checkClusterName(a.subscriptionId!, a.location!, n)),
              );
              return (
                results.find((r) => !r.available)?.message ?? (results.some((r) => !r.available) ? 'A cluster name is taken.' : undefined)
              );
            },
          }),
        ),
      ...loginSteps<Answers>(title),
      async (a, at) =>
        answer(
          a,
          'storageAccount',
          await inputStep({
            title,
            ...at,
            prompt: 'New storage account for both clusters’ file systems (a global name)',
            value: a.storageAccount ?? pairNames({ baseName: a.baseName! }).storage,
            validate: check(validateStorageAccountName),
            confirm: async (v) => {
              const result = await client.checkStorageAccountName(a.subscriptionId!, v);
              return result.available ? undefined : (result.message ?? `${v} is taken.`);
            },
          }),
        ),
      async (a, at) => {
        let checked: PairCheck | undefined;
        let problem: string | undefined;
        try {
          checked = await checkPair(client, inputOf(a), undefined, a.regionLabel);
          a.checked = checked;
        } catch (err) {
          if (isCancellation(err)) throw err;
          problem = userMessage(err);
          // A quick pick row cuts long text: the notification shows all of it.
          void vscode.window.showErrorMessage(problem);
        }
        const names = pairNames(a as { baseName: string; storageAccount?: string });
        const chosen = await pickStep<'create' | 'back' | 'cancel'>({
          title,
          ...at,
          placeholder: checked
            ? `Create the pair? ${checked.cores} cores (${checked.used} of ${checked.limit} in use in ${a.regionLabel})`
            : 'Azure would refuse the pair: go back to change it',
          items: [
            checked
              ? {
                  label: `$(check) Create ${names.spark} and ${names.kafka}`,
                  description: 'HDInsight 5.1 · Spark 3.3, 4 workers · Kafka 3.2, 3 workers with data disks, 3 ZooKeeper',
                  detail: `${a.newGroup ? 'new ' : ''}resource group ${a.resourceGroup} · ${a.regionLabel} · virtual network ${names.network} ${PAIR_NETWORK.addressPrefix}, subnet ${PAIR_NETWORK.subnetName} ${PAIR_NETWORK.subnetPrefix} · new storage account ${names.storage} · SSH ${a.sshUser} with ${a.sshKey ? 'a public key' : 'a password'}`,
                  value: 'create' as const,
                }
              : { label: '$(arrow-left) Go back and change the answers', detail: `$(error) ${problem}`, value: 'back' as const },
            // What HDInsight cannot validate before they exist: it does once they do, before either cluster is requested.
            ...(checked
              ? [
                  {
                    label: `HDInsight checks once made: the key of ${names.storage}, network ${names.network}`,
                    kind: vscode.QuickPickItemKind.Separator,
                    value: 'cancel' as const,
                  },
                ]
              : []),
            { label: '$(close) Cancel', value: 'cancel' as const },
          ],
        });
        if (chosen === BACK || chosen === 'back') return BACK;
        if (chosen === 'cancel') throw new CancelledError();
        return undefined;
      },
    ],
    { loginUser: 'admin', sshUser: 'sshuser' },
  );
  return create(deps, client, inputOf(answers), answers.newGroup ?? false, {
    interactive: true,
    checked: answers.checked!,
    regionLabel: answers.regionLabel,
  });
}
